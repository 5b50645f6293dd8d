import { useApolloClient, useMutation } from '@apollo/client/react';
import { type FormEvent, useId, useRef, useState } from 'react';
import { inputProblems, type InputProblems } from '../errors';
import { CreateTaskDocument } from '../gql/graphql';
import { applyTaskChange, type VisibleList } from '../live-updates';

export function NewTaskForm({ userId, visible }: { userId: string; visible: VisibleList }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [problems, setProblems] = useState<InputProblems>({ fields: {} });
  const [createTask, { loading }] = useMutation(CreateTaskDocument);
  const client = useApolloClient();
  const titleRef = useRef<HTMLInputElement>(null);
  const descriptionRef = useRef<HTMLTextAreaElement>(null);
  const id = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    // No client-side checks: the server's BAD_USER_INPUT message is the one shown, at the field it names.
    let listMissed = false;
    try {
      await createTask({
        variables: { userId, input: { title, ...(description.trim() ? { description } : {}) } },
        update: (cache, { data }) => {
          if (data) listMissed = !applyTaskChange(cache, visible, { type: 'CREATED', task: data.createTask });
        },
      });
      if (listMissed) void client.refetchQueries({ include: 'active' }).catch(() => undefined);
      setTitle('');
      setDescription('');
      setProblems({ fields: {} });
      titleRef.current?.focus();
    } catch (error) {
      const found = inputProblems(error);
      setProblems(found);
      if (found.fields.title) titleRef.current?.focus();
      else if (found.fields.description) descriptionRef.current?.focus();
    }
  };

  const { title: titleProblem, description: descriptionProblem } = problems.fields;
  return (
    <form className="card new-task" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-heading`} noValidate>
      <h2 id={`${id}-heading`}>New task</h2>
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
        <label htmlFor={`${id}-description`}>Description (optional)</label>
        <textarea
          id={`${id}-description`}
          ref={descriptionRef}
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
      <button type="submit" disabled={loading}>
        Add task
      </button>
    </form>
  );
}
