import { type FormEvent, useId, useState } from 'react';
import { type Session, subjectOf } from '../session';

/** Picks the user to act for: a name is enough on an open API; with sign-in, the token's subject is the user. */
export function UserChooser({ onChoose }: { onChoose: (session: Session) => void }) {
  const [name, setName] = useState('');
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string>();
  const nameId = useId();
  const tokenId = useId();
  const problemId = useId();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmedToken = token.trim();
    if (trimmedToken) {
      const subject = subjectOf(trimmedToken);
      if (!subject) return setProblem('This is not a token the API issues (a JWT with a sub claim).');
      return onChoose({ userId: subject, token: trimmedToken });
    }
    const userId = name.trim();
    if (!userId) return setProblem('Enter your name, or a token if the API requires sign-in.');
    onChoose({ userId });
  };

  return (
    <form className="card user-chooser" onSubmit={submit} aria-labelledby={`${nameId}-heading`} noValidate>
      <h2 id={`${nameId}-heading`}>Whose tasks?</h2>
      <div className="field">
        <label htmlFor={nameId}>Your name</label>
        <input
          id={nameId}
          name="user"
          autoComplete="username"
          value={name}
          onChange={(event) => setName(event.target.value)}
          aria-describedby={problem ? problemId : undefined}
          autoFocus
        />
      </div>
      <div className="field">
        <label htmlFor={tokenId}>Access token (only if the API requires sign-in)</label>
        <textarea id={tokenId} name="token" rows={2} value={token} onChange={(event) => setToken(event.target.value)} />
      </div>
      {problem && (
        <p id={problemId} className="field-error" role="alert">
          {problem}
        </p>
      )}
      <button type="submit">Open my tasks</button>
    </form>
  );
}
