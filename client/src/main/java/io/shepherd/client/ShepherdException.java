package io.shepherd.client;

import io.shepherd.protocol.ErrorCode;

/**
 * Why a Shepherd call failed. Every call of {@link ShepherdClient} fails with one of the nested
 * subclasses, whose message says what was wrong and, where it can, how to put it right. Unless the
 * message says otherwise, a failed call changed nothing.
 */
public class ShepherdException extends RuntimeException {

  private final ErrorCode code;

  public ShepherdException(ErrorCode code, String message) {
    super(message);
    this.code = code;
  }

  /** The error code, as it crossed the wire. */
  public ErrorCode code() {
    return code;
  }

  /** The exception for an error code and message from the Manager. */
  public static ShepherdException of(ErrorCode code, String message) {
    return switch (code) {
      case INVALID_ARGUMENT, TOO_LARGE -> new InvalidArgument(message);
      case NO_SUCH_HOST -> new UnknownHost(message);
      case NO_SUCH_GROUP -> new NoSuchGroup(message);
      case NO_SUCH_NODE -> new NoSuchNode(message);
      case UNKNOWN_TYPE -> new UnknownType(message);
      case NOT_ALLOWED -> new NotAllowed(message);
      case DUPLICATE_NAME -> new DuplicateName(message);
      case INVALID_TRANSITION -> new InvalidTransition(message);
      case NODE_FAILED -> new NodeFailed(message);
      case HOST_UNAVAILABLE -> new HostUnavailable(message);
      case NO_MANAGER -> new NoManagerReachable(message);
      case TIMEOUT -> new Timeout(message);
      case UNAUTHORIZED -> new Unauthorized(message);
      case FORBIDDEN -> new Forbidden(message);
      default -> new ShepherdException(code, message);
    };
  }

  /** A malformed argument: a bad path, name, state, number or spec. */
  public static final class InvalidArgument extends ShepherdException {
    public InvalidArgument(String message) {
      super(ErrorCode.INVALID_ARGUMENT, message);
    }
  }

  /** No host by that id is registered. */
  public static final class UnknownHost extends ShepherdException {
    public UnknownHost(String message) {
      super(ErrorCode.NO_SUCH_HOST, message);
    }
  }

  public static final class NoSuchGroup extends ShepherdException {
    public NoSuchGroup(String message) {
      super(ErrorCode.NO_SUCH_GROUP, message);
    }
  }

  public static final class NoSuchNode extends ShepherdException {
    public NoSuchNode(String message) {
      super(ErrorCode.NO_SUCH_NODE, message);
    }
  }

  /** No node type by that name on the host, and no loadable class by that name. */
  public static final class UnknownType extends ShepherdException {
    public UnknownType(String message) {
      super(ErrorCode.UNKNOWN_TYPE, message);
    }
  }

  /** A class or executable outside the host's allow-list. */
  public static final class NotAllowed extends ShepherdException {
    public NotAllowed(String message) {
      super(ErrorCode.NOT_ALLOWED, message);
    }
  }

  public static final class DuplicateName extends ShepherdException {
    public DuplicateName(String message) {
      super(ErrorCode.DUPLICATE_NAME, message);
    }
  }

  /** A lifecycle call or request not allowed from the node's state; the message names both. */
  public static final class InvalidTransition extends ShepherdException {
    public InvalidTransition(String message) {
      super(ErrorCode.INVALID_TRANSITION, message);
    }
  }

  /** The node crashed before the call completed; the message has the node's failure. */
  public static final class NodeFailed extends ShepherdException {
    public NodeFailed(String message) {
      super(ErrorCode.NODE_FAILED, message);
    }
  }

  public static final class HostUnavailable extends ShepherdException {
    public HostUnavailable(String message) {
      super(ErrorCode.HOST_UNAVAILABLE, message);
    }
  }

  /** No Manager answered: none is running, or none can be reached. */
  public static final class NoManagerReachable extends ShepherdException {
    public NoManagerReachable(String message) {
      super(ErrorCode.NO_MANAGER, message);
    }
  }

  /** The API refused the credentials: no client certificate signed by the cluster's CA, and no valid token. */
  public static final class Unauthorized extends ShepherdException {
    public Unauthorized(String message) {
      super(ErrorCode.UNAUTHORIZED, message);
    }
  }

  /** The credentials do not allow the call: a read-only token on a call that changes something. */
  public static final class Forbidden extends ShepherdException {
    public Forbidden(String message) {
      super(ErrorCode.FORBIDDEN, message);
    }
  }

  /** No answer within the call's timeout; the call may or may not have taken effect. */
  public static final class Timeout extends ShepherdException {
    public Timeout(String message) {
      super(ErrorCode.TIMEOUT, message);
    }
  }
}
