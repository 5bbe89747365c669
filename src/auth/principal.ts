/** Who a verified token says the caller is; `name` becomes the chat name. */
export interface Principal {
  readonly name: string;
  readonly subject: string | undefined;
  /** Every claim of the verified token (roles, groups...), for authorization hooks. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

declare module 'http' {
  interface IncomingMessage {
    /** Set by ApiAuthGuard on REST requests that carried a valid token. */
    principal?: Principal;
  }
}
