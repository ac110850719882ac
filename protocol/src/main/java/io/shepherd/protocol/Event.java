package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Something that happened in the cluster, as the Manager saw it: the live events of the HTTP API
 * ({@code /api/v1/events}) and of the clients. Every Manager incarnation numbers its events 1, 2,
 * 3...; {@link #id()} ({@code EPOCH-SEQ}) orders them across a failover, and a client that
 * reconnects with the last id it saw gets every later event, or a {@value #RESYNC} event when
 * they cannot be had (another Manager incarnation, or they fell out of the buffer).
 *
 * <p>One flat record for every type, so that every language reads it the same way; the fields a
 * type does not use are null (and absent from the JSON).
 *
 * @param epoch the epoch of the Manager incarnation that numbered it
 * @param seq its number in that incarnation, from 1
 * @param at when the Manager saw it
 * @param type what happened: one of the constants of this class
 * @param path the node (or group, for {@value #GROUP}) it is about, if any
 * @param host the host it is about, or the host of its node
 * @param state the node's state now
 * @param previous the node's state before, for {@value #NODE}
 * @param requested the node's requested state
 * @param mode the node's mode
 * @param restarts how often the node has been restarted after a crash
 * @param reason why: a crash's reason, why a host is down
 * @param message a message: a notification's text, a fault's description
 * @param by the client that changed a node's mode, or (a fault) its requested state
 * @param address a member's address
 * @param status a host's status (UP, UNREACHABLE, DOWN), a member's, a group's (UP, REMOVED, MOVED),
 *     or the kind of a {@value #FAULT}
 * @param manager the client that manages the node (MANAGED mode): the one a {@value #FAULT} is for
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(long epoch, long seq, Instant at, String type, String path, String host, NodeState state, NodeState previous,
                   NodeState requested, Mode mode, Integer restarts, String reason, String message, String by, String address,
                   String status, String manager) implements CborSerializable {

  /** A Manager incarnation started: the first event of every epoch. */
  public static final String MANAGER = "manager";
  /** The events a client missed cannot be had: read the status again. Sent by the API, not the Manager. */
  public static final String RESYNC = "resync";
  /** A node's state, requested state, mode or stall changed (also: it appeared). */
  public static final String NODE = "node";
  /** A node was removed. */
  public static final String NODE_REMOVED = "node-removed";
  /** A node crashed; AUTO nodes are restarted, MANAGED ones stall. */
  public static final String CRASH = "crash";
  /** A MANAGED node crashed and holds until a new request or a revive. */
  public static final String STALLED = "stalled";
  /** A node raised a notification. */
  public static final String NOTIFICATION = "notification";
  /** A node's mode changed. */
  public static final String MODE = "mode";
  /** A host registered, became unreachable, reachable again, or went down. */
  public static final String HOST = "host";
  /** A cluster member joined, left, was downed or removed. */
  public static final String MEMBER = "member";
  /** A NodeGroup was created, moved to another host, or removed. */
  public static final String GROUP = "group";
  /** A fault of a MANAGED node for its manager (Guardian's node checker): {@code status} is its kind. */
  public static final String FAULT = "fault";

  /** Every type, for checking filters. */
  public static final Set<String> TYPES = Set.of(MANAGER, RESYNC, NODE, NODE_REMOVED, CRASH, STALLED, NOTIFICATION, MODE, HOST, MEMBER,
      GROUP, FAULT);

  /**
   * A list of types, {@code node,crash}: the set, or null for a null text (all types).
   *
   * @throws IllegalArgumentException naming the unknown ones, or when none is given
   */
  public static Set<String> parseTypes(String text) {
    if (text == null) {
      return null;
    }
    Set<String> types = Arrays.stream(text.split(",")).map(String::trim).filter(t -> !t.isEmpty()).collect(Collectors.toSet());
    Set<String> unknown = new TreeSet<>(types);
    unknown.removeAll(TYPES);
    if (types.isEmpty() || !unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown event type" + (unknown.size() == 1 ? " " : "s ") + (unknown.isEmpty() ? "(none given)"
          : unknown.stream().map(Names::abbreviate).collect(Collectors.joining(", "))) + "; the types are " + new TreeSet<>(TYPES));
    }
    return types;
  }

  /** The kinds of a {@value #FAULT} event, in {@code status}. */
  public static final String NODE_ERROR = "node-error";
  public static final String CONNECTION_LOST = "connection-lost";
  public static final String MODE_CHANGED = "mode-changed";
  public static final String REQUEST_CHANGED = "request-changed";

  /** The event's id, {@code EPOCH-SEQ}: what a client sends back as {@code Last-Event-ID} to resume. */
  @JsonProperty(value = "id", access = JsonProperty.Access.READ_ONLY)
  public String id() {
    return epoch + "-" + seq;
  }

  /** An event of {@code type} with no fields but its number and time; build on with the {@code with} methods. */
  public static Event of(long epoch, long seq, Instant at, String type) {
    return new Event(epoch, seq, at, type, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** The fault of a {@value #FAULT} event, or null if this is another type. */
  public Fault fault() {
    if (!FAULT.equals(type) || path == null) {
      return null;
    }
    NodePath node = NodePath.parse(path);
    return switch (String.valueOf(status)) {
      case NODE_ERROR -> new Fault.NodeError(node, reason, at);
      case CONNECTION_LOST -> new Fault.ConnectionLost(node, host, reason, at);
      case NOTIFICATION -> new Fault.Notification(node, message, at);
      case MODE_CHANGED -> new Fault.ModeChanged(node, mode, by, at);
      case REQUEST_CHANGED -> new Fault.RequestChanged(node, requested, by, at);
      default -> null;
    };
  }

  /** The {@value #FAULT} event of a fault, for the client {@code manager} that manages its node. */
  public static Event ofFault(long epoch, long seq, Fault fault, String manager) {
    Event event = of(epoch, seq, fault.at(), FAULT).withPath(fault.path().toString()).withManager(manager);
    if (fault instanceof Fault.NodeError error) {
      return event.withStatus(NODE_ERROR).withReason(error.reason());
    } else if (fault instanceof Fault.ConnectionLost lost) {
      return event.withStatus(CONNECTION_LOST).withHost(lost.host()).withReason(lost.reason());
    } else if (fault instanceof Fault.Notification notification) {
      return event.withStatus(NOTIFICATION).withMessage(notification.message());
    } else if (fault instanceof Fault.RequestChanged changed) {
      return event.withStatus(REQUEST_CHANGED).withRequested(changed.requested()).withBy(changed.by());
    } else {
      Fault.ModeChanged changed = (Fault.ModeChanged) fault;
      return event.withStatus(MODE_CHANGED).withMode(changed.mode()).withBy(changed.by());
    }
  }

  /** This event with another number: the Manager numbers events as it publishes them. */
  public Event numbered(long newEpoch, long newSeq) {
    return new Event(newEpoch, newSeq, at, type, path, host, state, previous, requested, mode, restarts, reason, message, by, address,
        status, manager);
  }

  public Event withPath(String value) {
    return new Event(epoch, seq, at, type, value, host, state, previous, requested, mode, restarts, reason, message, by, address, status, manager);
  }

  public Event withHost(String value) {
    return new Event(epoch, seq, at, type, path, value, state, previous, requested, mode, restarts, reason, message, by, address, status, manager);
  }

  /** The node's states and mode, from its status. */
  public Event withNode(NodeStatus node, NodeState before) {
    return new Event(epoch, seq, at, type, node.path().toString(), node.host(), node.state(), before, node.requested(), node.mode(),
        node.restarts(), reason, message, by, address, status, manager);
  }

  public Event withRequested(NodeState value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, value, mode, restarts, reason, message, by, address, status, manager);
  }

  public Event withMode(Mode value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, value, restarts, reason, message, by, address, status, manager);
  }

  public Event withReason(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, value, message, by, address, status, manager);
  }

  public Event withMessage(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, reason, value, by, address, status, manager);
  }

  public Event withBy(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, reason, message, value, address, status, manager);
  }

  public Event withAddress(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, reason, message, by, value, status, manager);
  }

  public Event withManager(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, reason, message, by, address, status,
        value);
  }

  public Event withStatus(String value) {
    return new Event(epoch, seq, at, type, path, host, state, previous, requested, mode, restarts, reason, message, by, address, value, manager);
  }
}
