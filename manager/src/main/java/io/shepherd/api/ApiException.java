package io.shepherd.api;

import io.shepherd.protocol.ErrorCode;

/**
 * A call answered with an error: the HTTP status, the Shepherd error code and a message that says
 * what was wrong and how to put it right. Rendered as {@code application/problem+json}.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final ErrorCode code;
  private final Integer retryAfterSeconds;

  public ApiException(int status, ErrorCode code, String detail) {
    this(status, code, detail, null);
  }

  public ApiException(int status, ErrorCode code, String detail, Integer retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** A malformed request: 400. */
  public static ApiException badRequest(String detail) {
    return new ApiException(400, ErrorCode.INVALID_ARGUMENT, detail);
  }

  /** The error of a refusal from the Manager or a host, with the status its code maps to. */
  public static ApiException of(ErrorCode code, String detail) {
    return switch (code) {
      case INVALID_ARGUMENT, UNKNOWN_TYPE -> new ApiException(400, code, detail);
      case UNAUTHORIZED -> new ApiException(401, code, detail);
      case NOT_ALLOWED, FORBIDDEN -> new ApiException(403, code, detail);
      case NO_SUCH_HOST, NO_SUCH_GROUP, NO_SUCH_NODE, NO_SUCH_ROUTE -> new ApiException(404, code, detail);
      case DUPLICATE_NAME, INVALID_TRANSITION, NODE_FAILED, SUPERSEDED -> new ApiException(409, code, detail);
      case BUSY -> new ApiException(409, code, detail, 1);
      case TOO_LARGE -> new ApiException(413, code, detail);
      case HOST_UNAVAILABLE, STALE_EPOCH -> new ApiException(503, code, detail);
      case NO_MANAGER -> new ApiException(503, code, detail, 2);
      case TIMEOUT -> new ApiException(504, code, detail);
      case NOT_REPLICATED, INTERNAL -> new ApiException(500, code, detail);
    };
  }

  public int status() {
    return status;
  }

  public ErrorCode code() {
    return code;
  }

  /** Seconds after which a retry may succeed (503 with no Manager, 409 busy), or null. */
  public Integer retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
