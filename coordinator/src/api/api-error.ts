import { ErrorCode, type FieldIssue } from '@cloudexport/shared';

/** An error the API answers with its own status and code; anything else is a 500. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown> & { issues?: FieldIssue[] },
  ) {
    super(message);
  }

  static validation(where: string, issues: FieldIssue[]): ApiError {
    const first = issues[0];
    const lead = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
    return new ApiError(400, ErrorCode.validationFailed, `Invalid ${where}: ${lead}${more}`, { issues });
  }

  static notFound(what: string, id: string): ApiError {
    return new ApiError(404, ErrorCode.notFound, `No ${what} ${id} visible to you.`);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, ErrorCode.forbidden, message);
  }

  static conflict(message: string, code: ErrorCode = ErrorCode.conflict): ApiError {
    return new ApiError(409, code, message);
  }
}
