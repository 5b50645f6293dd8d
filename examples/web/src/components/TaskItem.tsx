import { useApolloClient, useMutation } from '@apollo/client/react';
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { conflictingTask, inputProblems, type InputProblems } from '../errors';
import { DeleteTaskDocument, type TaskItemFragment, TaskItemFragmentDoc, UpdateTaskDocument } from '../gql/graphql';
import { applyTaskChange, type VisibleList } from '../live-updates';

type Mode = 'view' | 'edit' | 'confirm-delete';

interface TaskItemProps {
  task: TaskItemFragment;
  userId: string;
  visible: VisibleList;
}

export function TaskItem({ task, userId, visible }: TaskItemProps) {
  const [mode, setMode] = useState<Mode>('view');
  const [problems, setProblems] = useState<InputProblems>({ fields: {} });
  const [updateTask, { loading: saving }] = useMutation(UpdateTaskDocument);
  const [deleteTask, { loading: deleting }] = useMutation(DeleteTaskDocument);
  const client = useApolloClient();
  const editButton = useRef<HTMLButtonElement>(null);
  const deleteButton = useRef<HTMLButtonElement>(null);
  const keepButton = useRef<HTMLButtonElement>(null);
  // The buttons are not rendered while editing or confirming: remember which one gets the focus back.
  const returnFocusTo = useRef<'edit' | 'delete' | null>(null);
  const id = useId();

  // Focus follows the mode: into the editor or the confirmation, and back to the button that opened it.
  useEffect(() => {
    if (mode === 'confirm-delete') keepButton.current?.focus();
    if (mode === 'view' && returnFocusTo.current) {
      (returnFocusTo.current === 'edit' ? editButton : deleteButton).current?.focus();
      returnFocusTo.current = null;
    }
  }, [mode]);

  const closeTo = (button: 'edit' | 'delete') => {
    returnFocusTo.current = button;
    setProblems({ fields: {} });
    setConflict(undefined);
    setMode('view');
  };

  const [conflict, setConflict] = useState<{ theirs: TaskItemFragment; mine: { title: string; description: string } }>();

  const change = async (input: { title?: string; description?: string | null; completed?: boolean }, expectedVersion?: number) => {
    await updateTask({
      variables: { userId, id: task.id, input, expectedVersion },
      // Ticking shows at once; Apollo rolls the optimistic layer back if the server refuses.
      ...(input.completed === undefined ? {} : { optimisticResponse: { __typename: 'Mutation' as const, updateTask: { ...task, completed: input.completed } } }),
      update: (cache, { data }) => {
        if (data) applyTaskChange(cache, visible, { type: 'UPDATED', task: data.updateTask });
      },
    });
  };

  const toggle = async () => {
    try {
      await change({ completed: !task.completed });
      setProblems({ fields: {} });
    } catch (error) {
      setProblems(inputProblems(error));
    }
  };

  const remove = async () => {
    try {
      await deleteTask({
        variables: { userId, id: task.id },
        update: (cache, { data }) => {
          if (data) applyTaskChange(cache, visible, { type: 'DELETED', task: data.deleteTask });
        },
      });
    } catch (error) {
      setProblems(inputProblems(error));
      closeTo('delete');
    }
  };

  const titleLabel = `“${task.title}”`;
  return (
    <li className={task.completed ? 'task done' : 'task'}>
      {mode === 'edit' ? (
        <TaskEditor
          task={task}
          saving={saving}
          problems={problems}
          conflict={conflict?.theirs}
          onSave={async (title, description, expectedVersion) => {
            try {
              // Saved only if no one changed the task since the editor opened: else CONFLICT, and the user chooses.
              await change({ title, description: description.trim() ? description : null }, expectedVersion);
              closeTo('edit');
            } catch (error) {
              const theirs = conflictingTask(error);
              if (theirs) setConflict({ theirs, mine: { title, description } });
              else setProblems(inputProblems(error));
            }
          }}
          onTakeTheirs={(theirs) => {
            client.cache.writeFragment({ fragment: TaskItemFragmentDoc, data: theirs });
            closeTo('edit');
          }}
          onCancel={() => closeTo('edit')}
        />
      ) : (
        <>
          <div className="task-main">
            <input id={`${id}-done`} type="checkbox" checked={task.completed} onChange={() => void toggle()} />
            <label htmlFor={`${id}-done`} className="task-title">
              {task.title}
            </label>
            {task.description && <p className="task-description">{task.description}</p>}
          </div>
          {mode === 'confirm-delete' ? (
            <div className="task-actions confirm" role="group" aria-label={`Confirm deleting ${titleLabel}`}>
              <span>Delete this task?</span>
              <button type="button" className="danger" onClick={() => void remove()} disabled={deleting}>
                Yes, delete
              </button>
              <button type="button" ref={keepButton} onClick={() => closeTo('delete')}>
                Keep it
              </button>
            </div>
          ) : (
            <div className="task-actions">
              <button type="button" ref={editButton} aria-label={`Edit ${titleLabel}`} onClick={() => setMode('edit')}>
                Edit
              </button>
              <button type="button" ref={deleteButton} aria-label={`Delete ${titleLabel}`} onClick={() => setMode('confirm-delete')}>
                Delete
              </button>
            </div>
          )}
          {problems.general && (
            <p className="field-error" role="alert">
              {problems.general}
            </p>
          )}
        </>
      )}
    </li>
  );
}

interface TaskEditorProps {
  task: TaskItemFragment;
  saving: boolean;
  problems: InputProblems;
  /** The task as someone else saved it while this editor was open. */
  conflict?: TaskItemFragment;
  onSave: (title: string, description: string, expectedVersion: number) => Promise<void>;
  onTakeTheirs: (theirs: TaskItemFragment) => void;
  onCancel: () => void;
}

function TaskEditor({ task, saving, problems, conflict, onSave, onTakeTheirs, onCancel }: TaskEditorProps) {
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? '');
  // The version the user started from; live updates may move task.version on while they type.
  const [baseVersion, setBaseVersion] = useState(task.version);
  const titleRef = useRef<HTMLInputElement>(null);
  const id = useId();
  const { title: titleProblem, description: descriptionProblem } = problems.fields;

  useEffect(() => titleRef.current?.focus(), []);
  useEffect(() => {
    if (titleProblem) titleRef.current?.focus();
  }, [titleProblem]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void onSave(title, description, baseVersion);
  };
  const keepMine = () => {
    if (!conflict) return;
    setBaseVersion(conflict.version);
    void onSave(title, description, conflict.version);
  };
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape') onCancel();
  };

  return (
    <form className="task-editor" onSubmit={submit} onKeyDown={cancelOnEscape} aria-label={`Edit “${task.title}”`} noValidate>
      <div className="field">
        <label htmlFor={`${id}-title`}>Title</label>
        <input
          id={`${id}-title`}
          ref={titleRef}
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          aria-invalid={titleProblem ? true : undefined}
          aria-describedby={titleProblem ? `${id}-title-error` : undefined}
        />
        {titleProblem && (
          <p id={`${id}-title-error`} className="field-error">
            {titleProblem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          rows={2}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
          aria-invalid={descriptionProblem ? true : undefined}
          aria-describedby={descriptionProblem ? `${id}-description-error` : undefined}
        />
        {descriptionProblem && (
          <p id={`${id}-description-error`} className="field-error">
            {descriptionProblem}
          </p>
        )}
      </div>
      {problems.general && (
        <p className="field-error" role="alert">
          {problems.general}
        </p>
      )}
      {conflict && (
        <div className="conflict" role="alert">
          <p>
            This task was changed elsewhere while you were editing. It now reads “{conflict.title}”
            {conflict.description ? ` — ${conflict.description}` : ''}.
          </p>
          <div className="task-actions">
            <button type="button" onClick={keepMine} disabled={saving}>
              Keep mine
            </button>
            <button type="button" onClick={() => onTakeTheirs(conflict)}>
              Take theirs
            </button>
          </div>
        </div>
      )}
      <div className="task-actions">
        <button type="submit" disabled={saving}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
