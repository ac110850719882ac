package io.shepherd.host;

import io.shepherd.protocol.ErrorCode;

/** A node type that cannot be used on this host: unknown, not allowed, or not a valid node class. */
public final class NodeTypeException extends Exception {

  private final ErrorCode code;

  public NodeTypeException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  public ErrorCode code() {
    return code;
  }
}
