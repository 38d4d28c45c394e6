/**
 * The one error model (docs/CODE_STYLE.md). Services throw AppError; a single handler in
 * platform/http.ts maps the kind to an HTTP status and answers RFC 9457 problem+json.
 */
export type ErrorKind =
  | 'bad_request'
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export interface FieldError {
  path: string;
  message: string;
  /**
   * For pages only: the stable reason of `message` and the values it names, so a page words it in
   * its own language (web `form.err.<reason>`). The API never sends these two: its problem+json
   * lists `path` and `message` only (platform/http.ts sendProblem).
   */
  reason?: string;
  params?: Record<string, string | number>;
}

export interface AppErrorOptions {
  /** Internal message for logs. */
  message?: string;
  /** Safe message shown to the user (Vietnamese first). Defaults to the kind's title. */
  userMessage?: string;
  errors?: FieldError[];
  details?: Record<string, unknown>;
  cause?: unknown;
  /**
   * A 401's `WWW-Authenticate` challenge (RFC 9110 §11.6.1), for a route that is not signed in with
   * a bearer token (the bank's signed notifications); sendProblem's default is `Bearer`.
   */
  challenge?: string;
}

export class AppError extends Error {
  readonly userMessage: string | undefined;
  readonly errors: FieldError[] | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly challenge: string | undefined;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    opts: AppErrorOptions = {},
  ) {
    super(opts.message ?? opts.userMessage ?? code, { cause: opts.cause });
    this.name = 'AppError';
    this.userMessage = opts.userMessage;
    this.errors = opts.errors;
    this.details = opts.details;
    this.challenge = opts.challenge;
  }
}

export function statusOf(kind: ErrorKind): number {
  switch (kind) {
    case 'bad_request':
      return 400;
    case 'invalid':
      return 422;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'unavailable':
      return 503;
    case 'internal':
      return 500;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function titleOf(kind: ErrorKind): string {
  switch (kind) {
    case 'bad_request':
      return 'Không đọc được yêu cầu (Bad request)';
    case 'invalid':
      return 'Dữ liệu không hợp lệ (Invalid request)';
    case 'unauthenticated':
      return 'Cần đăng nhập (Authentication required)';
    case 'forbidden':
      return 'Không có quyền (Forbidden)';
    case 'not_found':
      return 'Không tìm thấy (Not found)';
    case 'method_not_allowed':
      return 'Phương thức không được hỗ trợ (Method not allowed)';
    case 'conflict':
      return 'Xung đột trạng thái (Conflict)';
    case 'precondition_failed':
      return 'Dữ liệu đã thay đổi, hãy tải lại (Precondition failed)';
    case 'too_large':
      return 'Dữ liệu quá lớn (Payload too large)';
    case 'unsupported_media_type':
      return 'Định dạng không được hỗ trợ (Unsupported media type)';
    case 'rate_limited':
      return 'Quá nhiều yêu cầu (Too many requests)';
    case 'unavailable':
      return 'Dịch vụ tạm thời không sẵn sàng (Service unavailable)';
    case 'internal':
      return 'Lỗi hệ thống (Internal error)';
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export const notFound = (code: string, what: string) => new AppError('not_found', code, { userMessage: `Không tìm thấy ${what}.` });

/** One reason a service gives for refusing, with the values it names: a page words it in its own language. */
export interface ErrorReason {
  reason: string;
  params?: Record<string, string | number>;
}

/**
 * What a page needs to word an AppError in its own language, passed as the error's `cause` (the
 * API never sends it: its problem+json keeps the Vietnamese messages). `reason`/`params` are the
 * error's own; `reasons[i]` are the reasons of field error `i` (a CSV line can have several).
 */
export interface ErrorReasons {
  reason?: string;
  params?: Record<string, string | number>;
  reasons?: ErrorReason[][];
}
