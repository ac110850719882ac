"""Why a Shepherd call failed: one exception class per error code of the API, as in the Java client."""


class ShepherdError(Exception):
    """A call failed; ``code`` is the API's error code, ``status`` the HTTP status (0 when none came).

    Unless the message says otherwise, a failed call changed nothing.
    """

    code = "INTERNAL"

    def __init__(self, message, status=0, code=None):
        super().__init__(message)
        self.message = message
        self.status = status
        if code is not None:
            self.code = code


class InvalidArgument(ShepherdError):
    """A malformed argument: a bad path, name, state, number or spec."""
    code = "INVALID_ARGUMENT"


class UnknownHost(ShepherdError):
    code = "NO_SUCH_HOST"


class NoSuchGroup(ShepherdError):
    code = "NO_SUCH_GROUP"


class NoSuchNode(ShepherdError):
    code = "NO_SUCH_NODE"


class UnknownType(ShepherdError):
    code = "UNKNOWN_TYPE"


class NotAllowed(ShepherdError):
    """A class or executable outside the host's allow-list."""
    code = "NOT_ALLOWED"


class DuplicateName(ShepherdError):
    code = "DUPLICATE_NAME"


class InvalidTransition(ShepherdError):
    """A lifecycle call or request not allowed from the node's state; the message names both."""
    code = "INVALID_TRANSITION"


class NodeFailed(ShepherdError):
    code = "NODE_FAILED"


class HostUnavailable(ShepherdError):
    code = "HOST_UNAVAILABLE"


class NoManagerReachable(ShepherdError):
    """No Manager answered: none is running, or the API cannot be reached."""
    code = "NO_MANAGER"


class Timeout(ShepherdError):
    """No answer in time; the call may or may not have taken effect."""
    code = "TIMEOUT"


class Unauthorized(ShepherdError):
    """The API refused the credentials (no certificate of the cluster's CA, no valid token)."""
    code = "UNAUTHORIZED"


class Forbidden(ShepherdError):
    """The credentials do not allow the call (a read-only token on a call that changes something)."""
    code = "FORBIDDEN"


_BY_CODE = {cls.code: cls for cls in (InvalidArgument, UnknownHost, NoSuchGroup, NoSuchNode, UnknownType, NotAllowed,
                                      DuplicateName, InvalidTransition, NodeFailed, HostUnavailable, NoManagerReachable,
                                      Timeout, Unauthorized, Forbidden)}
_BY_CODE["TOO_LARGE"] = InvalidArgument


def error_for(code, message, status=0):
    """The exception for an error code of the API."""
    cls = _BY_CODE.get(code, ShepherdError)
    return cls(message, status, code)
