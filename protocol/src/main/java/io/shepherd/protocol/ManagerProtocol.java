package io.shepherd.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The messages the Manager receives: registrations and events from hosts, and calls from clients,
 * with their replies. The Manager is found through the Receptionist under {@link #SERVICE_KEY}.
 */
public final class ManagerProtocol {

  private ManagerProtocol() {}

  /** Everything the Manager handles. Only the records in this class cross JVMs. */
  public interface Command {}

  /** The key under which the current Manager incarnation registers with the Receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "shepherd-manager");

  // ---- from hosts -------------------------------------------------------------------------------

  /**
   * A host agent registers; answered with {@link HostProtocol.Registered} or
   * {@link HostProtocol.Declined}. After {@code Registered} the host sends a full snapshot.
   */
  public record RegisterHost(HostInfo info, ActorRef<HostProtocol.Command> host) implements Command, CborSerializable {}

  /**
   * One part of a host's full snapshot of its groups and nodes. The parts of one snapshot share
   * {@code seq}: events that follow carry {@code seq + 1} onwards.
   */
  public record HostSnapshot(String hostId, long epoch, long seq, int part, int parts, List<GroupPath> groups, List<NodeStatus> nodes,
                             Map<String, String> logLevels)
      implements Command, CborSerializable {
    @JsonCreator
    public HostSnapshot {
      groups = List.copyOf(groups);
      nodes = List.copyOf(nodes);
      logLevels = logLevels == null ? Map.of() : Map.copyOf(logLevels);
    }

    /** A snapshot of a host without log levels set at run time. */
    public HostSnapshot(String hostId, long epoch, long seq, int part, int parts, List<GroupPath> groups, List<NodeStatus> nodes) {
      this(hostId, epoch, seq, part, parts, groups, nodes, null);
    }
  }

  /**
   * An event from a host. Each host numbers its events; a gap makes the Manager ask for a snapshot.
   * Sent alone, or in {@link HostEvents} by subtype name.
   */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "event")
  @JsonSubTypes({
      @JsonSubTypes.Type(value = NodeUpdated.class, name = "node-updated"),
      @JsonSubTypes.Type(value = NodeRemoved.class, name = "node-removed"),
      @JsonSubTypes.Type(value = NodeRejected.class, name = "node-rejected"),
      @JsonSubTypes.Type(value = NodeNotified.class, name = "node-notified"),
      @JsonSubTypes.Type(value = NodeCheckpointed.class, name = "node-checkpointed"),
      @JsonSubTypes.Type(value = GroupCreated.class, name = "group-created"),
      @JsonSubTypes.Type(value = GroupRemoved.class, name = "group-removed")})
  public sealed interface HostEvent extends Command, CborSerializable {
    String hostId();

    long seq();
  }

  /**
   * Events of one host that happened together (a site file's nodes starting, say), in the order
   * of their numbers: one message instead of one each, handled as if each had come alone.
   */
  public record HostEvents(List<HostEvent> events) implements Command, CborSerializable {
    @JsonCreator
    public HostEvents {
      events = List.copyOf(events);
    }
  }

  /** A node was created, or changed. */
  public record NodeUpdated(String hostId, long seq, NodeStatus status) implements HostEvent {}

  /** A node was removed. */
  public record NodeRemoved(String hostId, long seq, NodePath path) implements HostEvent {}

  /** A node could not be created (unknown type, refused class, bad spec); nothing was created. */
  public record NodeRejected(String hostId, long seq, NodePath path, ErrorCode code, String message) implements HostEvent {}

  /** A node raised a notification. */
  public record NodeNotified(String hostId, long seq, NodePath path, String message, Instant at) implements HostEvent {}

  /** A node saved a checkpoint (the latest of a burst). */
  public record NodeCheckpointed(String hostId, long seq, NodePath path, Checkpoint checkpoint) implements HostEvent {}

  /** A group exists now (also the answer to a repeated create). */
  public record GroupCreated(String hostId, long seq, GroupPath group) implements HostEvent {}

  /** A group and all its nodes were removed. */
  public record GroupRemoved(String hostId, long seq, GroupPath group) implements HostEvent {}

  // ---- from clients -----------------------------------------------------------------------------

  /** The status of the whole cluster, answered with one or more {@link StatusPart}s. */
  public record GetStatus(ActorRef<StatusPart> replyTo) implements Command, CborSerializable {}

  /** One part of a status answer; the nodes of a large cluster are spread over several parts. */
  public record StatusPart(int part, int parts, ClusterStatus status) implements CborSerializable {}

  /**
   * Create a NodeGroup. A group that is not {@code persistent} is removed when the client that
   * created it ({@code owner}) closes or leaves the cluster.
   */
  public record CreateGroup(GroupPath path, boolean persistent, String owner, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {}

  /** Remove a NodeGroup with all its nodes; answered once they are gone. */
  public record RemoveGroup(GroupPath path, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /** Create a node and drive it to {@code requested}; answered once it is CREATED. */
  public record CreateNode(NodePath path, NodeSpec spec, NodeState requested, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {}

  /** Stop, close and remove a node; answered once it is gone. */
  public record RemoveNode(NodePath path, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /**
   * One lifecycle call (configure, initialize, start, stop, close), valid only as one step from
   * the node's requested state; answered once the node has arrived.
   */
  public record Perform(NodePath path, LifecycleAction action, String by, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    @JsonCreator
    public Perform {}

    public Perform(NodePath path, LifecycleAction action, ActorRef<Reply> replyTo) {
      this(path, action, null, replyTo);
    }
  }

  /**
   * Request a state (Guardian): the node is driven there through the lifecycle. Answered once the
   * request is recorded, or, if {@code await}, once the node has arrived. {@code by}: who asks (a
   * client session, a manager's name, a principal; null: Shepherd itself). A request of a MANAGED
   * node by anyone but its manager is reported to the manager as a fault; one by a manager that
   * lost the node to another is refused (Guardian's contract).
   */
  public record Request(NodePath path, NodeState state, boolean await, String by, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {

    @JsonCreator
    public Request {}

    /** A request of Shepherd's own. */
    public Request(NodePath path, NodeState state, boolean await, ActorRef<Reply> replyTo) {
      this(path, state, await, null, replyTo);
    }
  }

  /**
   * Set the mode of nodes (Guardian's {@code set_managed}). In MANAGED mode {@code clientId} (a
   * client session, or a name) is recorded as their manager; their faults are published as
   * {@link Event#FAULT} events for it, and a client that takes over a node from another is reported
   * to the other as a mode change.
   */
  public record SetMode(List<NodePath> paths, Mode mode, String clientId, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    public SetMode {
      paths = List.copyOf(paths);
    }
  }

  /** Re-request the last requested state of nodes (Guardian's {@code revive}): stalled ones start again. */
  public record Revive(List<NodePath> paths, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    public Revive {
      paths = List.copyOf(paths);
    }
  }

  /** SIGKILL to a process node's whole session at once (the Architect's kill); it is then STOPPED, not crashed. */
  public record KillNode(NodePath path, String by, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    @JsonCreator
    public KillNode {}

    public KillNode(NodePath path, ActorRef<Reply> replyTo) {
      this(path, null, replyTo);
    }
  }

  /** Remove a node that is not running (the Architect's purge); a running one is refused. */
  public record Purge(NodePath path, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /**
   * Register a node type in a NodeGroup at run time (pyacq's {@code register_node_type_from_module}):
   * {@code name} stands for {@code className} in the nodes later created in the group. The group's
   * host checks the class first (it exists, its package is allowed there, it is a usable Node);
   * a refused class registers nothing. Kept in desired state with the group.
   */
  public record RegisterType(GroupPath group, String name, String className, ActorRef<Reply> replyTo)
      implements Command, CborSerializable {}

  /** Write a line to a process node's stdin; answered by its host. */
  public record SendInput(NodePath path, String line, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    /** Longest line accepted. */
    public static final int MAX_LINE = Api.MAX_INPUT_LINE;

    public SendInput {
      if (line == null || line.length() > MAX_LINE) {
        throw new IllegalArgumentException("an input line must be at most " + MAX_LINE + " characters");
      }
    }
  }

  /** A call on a host itself (ports, environment); answered by the host with {@link HostAnswer}. */
  public record HostCall(String hostId, HostRequest request, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /**
   * Apply a site file: answered with {@link SiteApplied}, or {@link Failed} listing every error
   * (nothing applied). With {@code dryRun}, everything is checked and the plan answered, but
   * nothing changes.
   */
  public record ApplySite(Site site, boolean dryRun, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /**
   * Requests up or down for targets in order (OCS's {@code update}): a target is a node path, a
   * group path, a host id or {@value Names#ALL}; a later request wins over an earlier one for the
   * nodes they share. All or nothing: a target that names nothing fails the call.
   */
  public record Update(List<TargetState> requests, String by, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    @JsonCreator
    public Update {
      requests = List.copyOf(requests);
    }

    /** An update of Shepherd's own. */
    public Update(List<TargetState> requests, ActorRef<Reply> replyTo) {
      this(requests, null, replyTo);
    }
  }

  /** One request of an {@link Update}: {@code state} is RUNNING (up) or STOPPED (down). */
  public record TargetState(String target, NodeState state) implements CborSerializable {
    public TargetState {
      if (target == null || target.isBlank()) {
        throw new IllegalArgumentException("a target is empty; give a node path, a group path, a host id or all");
      }
      if (state != NodeState.RUNNING && state != NodeState.STOPPED) {
        throw new IllegalArgumentException("a target state is up or down, not " + state);
      }
    }
  }

  /** A host's answer to {@link HostProtocol.CheckSpecs}: what it could not run, by index; empty if all is fine. */
  public record SpecsChecked(String hostId, List<SpecProblem> problems) implements Command, CborSerializable {
    public SpecsChecked {
      problems = List.copyOf(problems);
    }
  }

  /** Why a host could not run the spec at {@code index}. */
  public record SpecProblem(int index, ErrorCode code, String message) implements CborSerializable {}

  /**
   * Restart the nodes of targets (node paths, group paths, host ids or {@value Names#ALL}): every
   * one is driven down, then up (RUNNING) once all are down. Answered once they are all RUNNING
   * again, or with the first failure.
   */
  public record Restart(List<String> targets, String by, ActorRef<Reply> replyTo) implements Command, CborSerializable {
    @JsonCreator
    public Restart {
      targets = List.copyOf(targets);
    }

    public Restart(List<String> targets, ActorRef<Reply> replyTo) {
      this(targets, null, replyTo);
    }
  }

  /**
   * A client session's lease, opened or renewed: the groups {@code clientId} owns and the nodes it
   * manages stay while it renews within {@code ttlMillis}; once it lapses they are removed and
   * returned to AUTO, as if the client had closed.
   */
  public record RenewLease(String clientId, long ttlMillis, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /**
   * Stream the Manager's events to {@code subscriber} (an API member's event hub) as
   * {@link EventBatch}es: first those it still holds after {@code afterSeq} of {@code epoch}, then
   * every new one. A subscriber that sees a gap in the numbering subscribes again from its last.
   */
  public record SubscribeEvents(long epoch, long afterSeq, ActorRef<EventBatch> subscriber) implements Command, CborSerializable {}

  /** Stop streaming events to {@code subscriber}. */
  public record UnsubscribeEvents(ActorRef<EventBatch> subscriber) implements Command, CborSerializable {}

  /**
   * Events of the Manager incarnation {@code epoch}, numbered without gaps.
   *
   * @param reset true if the events asked for could not all be had (another epoch, or older than
   *     the Manager's buffer): these start at the oldest the Manager holds
   */
  public record EventBatch(long epoch, List<Event> events, boolean reset) implements CborSerializable {
    public EventBatch {
      events = List.copyOf(events);
    }
  }

  /** A client is closing: remove the groups it owns that are not persistent. */
  public record ClientLeaving(String clientId, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /** The answer to a client call. */
  public sealed interface Reply extends CborSerializable permits Ok, Failed, HostAnswer, SiteApplied {}

  /**
   * A host's answer to a {@link HostCall}.
   *
   * @param ports the ports reserved or released, if the call was about ports
   * @param env variables of the host environment, if the call was about it
   * @param logLevels the log levels set at run time on the host (target to level), if the call was about them
   */
  public record HostAnswer(String message, List<Integer> ports, Map<String, String> env, Map<String, String> logLevels)
      implements Reply {
    @JsonCreator
    public HostAnswer {
      ports = ports == null ? List.of() : List.copyOf(ports);
      env = env == null ? Map.of() : Map.copyOf(env);
      logLevels = logLevels == null ? Map.of() : Map.copyOf(logLevels);
    }

    public HostAnswer(String message, List<Integer> ports, Map<String, String> env) {
      this(message, ports, env, null);
    }
  }

  /**
   * Set a log level at run time: {@code target} is a node path, a host id, or {@code logger:NAME}
   * (that logger on every host); {@code level} as {@link HostRequest.SetLogLevel}. Answered with
   * {@link Ok} once every host concerned has applied it.
   */
  public record SetLogLevel(String target, String level, ActorRef<Reply> replyTo) implements Command, CborSerializable {}

  /** What applying a site file did, by node path. */
  public record SiteApplied(List<String> added, List<String> changed, List<String> removed, List<String> unchanged)
      implements Reply {
    public SiteApplied {
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      removed = List.copyOf(removed);
      unchanged = List.copyOf(unchanged);
    }
  }

  /**
   * The call succeeded.
   *
   * @param message what was done
   * @param node the node's status after the call, for node calls; otherwise null
   */
  public record Ok(String message, NodeStatus node) implements Reply {}

  /** The call was refused or failed; nothing changed unless the message says otherwise. */
  public record Failed(ErrorCode code, String message) implements Reply {}
}
