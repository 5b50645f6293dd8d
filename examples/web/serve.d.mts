export interface AppConfig {
  apiUrl: string;
  trustedDocuments?: boolean;
}

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

export function serveApp(options: { root?: string; port?: number; host?: string; config: AppConfig }): Promise<ServedApp>;
