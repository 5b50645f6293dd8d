/** Where the API is and how to talk to it, read at start from config.json next to the app (see serve.mjs). */
export interface RuntimeConfig {
  /** The API's GraphQL endpoint, on another origin (the API allows this app's origin in CORS_ORIGINS). */
  apiUrl: string;
  /** The API runs only trusted documents (TRUSTED_DOCUMENTS): send hashes, never document text. */
  trustedDocuments: boolean;
}

// `npm run dev` has no config.json: the build-time defaults apply.
const defaults: RuntimeConfig = {
  apiUrl: import.meta.env.VITE_API_URL ?? 'http://localhost:4000/graphql',
  trustedDocuments: import.meta.env.VITE_TRUSTED_DOCUMENTS === 'true',
};

function isRuntimeConfig(value: unknown): value is Partial<RuntimeConfig> {
  if (typeof value !== 'object' || value === null) return false;
  const { apiUrl, trustedDocuments } = value as Record<string, unknown>;
  return (apiUrl === undefined || typeof apiUrl === 'string') && (trustedDocuments === undefined || typeof trustedDocuments === 'boolean');
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  try {
    const response = await fetch(new URL('config.json', document.baseURI), { cache: 'no-store' });
    if (!response.ok) return defaults;
    const value: unknown = await response.json();
    return isRuntimeConfig(value) ? { ...defaults, ...value } : defaults;
  } catch {
    return defaults;
  }
}
