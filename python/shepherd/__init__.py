"""Shepherd's Python client: the cluster's HTTP API, Guardian's NodeManager, events and logs.

Standard library only. ``from shepherd import Client, NodeManager``.
"""

from .client import Client
from .errors import (DuplicateName, Forbidden, HostUnavailable, InvalidArgument, InvalidTransition, NodeFailed,
                     NoManagerReachable, NoSuchGroup, NoSuchNode, NotAllowed, ShepherdError, Timeout, Unauthorized,
                     UnknownHost, UnknownType)
from .nodemanager import Node, NodeManager

__all__ = ["Client", "NodeManager", "Node", "ShepherdError", "InvalidArgument", "UnknownHost", "NoSuchGroup", "NoSuchNode",
           "UnknownType", "NotAllowed", "DuplicateName", "InvalidTransition", "NodeFailed", "HostUnavailable",
           "NoManagerReachable", "Timeout", "Unauthorized", "Forbidden"]
__version__ = "0.1.0"
