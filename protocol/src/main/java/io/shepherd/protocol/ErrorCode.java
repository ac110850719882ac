package io.shepherd.protocol;

/** Why a command was refused. Every refusal crosses the wire as a code and a message. */
public enum ErrorCode {
  /** The argument is malformed: a bad path, name, state, number or spec. */
  INVALID_ARGUMENT,
  NO_SUCH_HOST,
  NO_SUCH_GROUP,
  NO_SUCH_NODE,
  /** No node type by that name, and no loadable class by that name. */
  UNKNOWN_TYPE,
  /** The type names a class outside the host's allow-listed packages, or a refused executable. */
  NOT_ALLOWED,
  DUPLICATE_NAME,
  /** The lifecycle call or request is not allowed from the node's state. */
  INVALID_TRANSITION,
  /** A node callback threw, or the node crashed, before the call completed. */
  NODE_FAILED,
  /** The node's host is unreachable or down. */
  HOST_UNAVAILABLE,
  /** No Manager answered: none is running or reachable. */
  NO_MANAGER,
  TIMEOUT,
  /** The change was made but could not be written to a majority of manager members in time. */
  NOT_REPLICATED,
  /** A newer request for the same node replaced this one before it completed. */
  SUPERSEDED,
  /** The node or group is being created or removed; retry once that has finished. */
  BUSY,
  /** The command came from a Manager incarnation older than the one the host registered with. */
  STALE_EPOCH,
  /** The HTTP API: the request carried no valid credentials (client certificate or bearer token). */
  UNAUTHORIZED,
  /** The HTTP API: the credentials do not allow this call (a read-only token on a call that changes something). */
  FORBIDDEN,
  /** The HTTP API: no such route, or a method the route does not take. */
  NO_SUCH_ROUTE,
  /** The HTTP API: the request body is larger than the server reads. */
  TOO_LARGE,
  INTERNAL
}
