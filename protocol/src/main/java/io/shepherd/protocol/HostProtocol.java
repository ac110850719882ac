package io.shepherd.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.List;

/**
 * The messages a HostAgent receives from the Manager. Every command carries the epoch of the
 * Manager incarnation that sent it; a host drops commands from an epoch older than the one it
 * registered with (Flink's fencing tokens). Commands are idempotent: the Manager may repeat them
 * when it reconciles, and a host answers a repeat with the state it already has.
 */
public final class HostProtocol {

  private HostProtocol() {}

  /** Everything a HostAgent handles. Only the records in this class cross JVMs. */
  public interface Command {}

  /** The key under which every host agent registers with the Receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "shepherd-host");

  /** A command from the Manager, fenced by its epoch. */
  public interface ManagerCommand extends Command, CborSerializable {
    long epoch();
  }

  /** The Manager accepted the host's registration. */
  public record Registered(long epoch, ActorRef<ManagerProtocol.Command> manager) implements Command, CborSerializable {}

  /**
   * A new Manager incarnation asks the host to register with it; ignored unless its epoch is newer
   * than the one the host is registered with.
   */
  public record Reconnect(long epoch, ActorRef<ManagerProtocol.Command> manager) implements Command, CborSerializable {}

  /** The Manager refused the registration, e.g. because another live member holds the host id. */
  public record Declined(long epoch, String reason) implements Command, CborSerializable {}

  /** Create a NodeGroup (no-op if it exists). Answered with {@link ManagerProtocol.GroupCreated}. */
  public record CreateGroup(long epoch, GroupPath group) implements ManagerCommand {}

  /** Remove a NodeGroup and every node in it. Answered with {@link ManagerProtocol.GroupRemoved}. */
  public record RemoveGroup(long epoch, GroupPath group) implements ManagerCommand {}

  /**
   * Create a node in an existing group and drive it to {@code requested}. Answered with
   * {@link ManagerProtocol.NodeUpdated} (state CREATED, then every change) or
   * {@link ManagerProtocol.NodeRejected}. A checkpoint, if any, is handed to the node's first incarnation,
   * which counts on from {@code previousIncarnation} (the node's last run, on this host or another; 0 if none).
   */
  public record CreateNode(long epoch, NodePath path, NodeSpec spec, NodeState requested, long seq, Checkpoint checkpoint,
                           int previousIncarnation) implements ManagerCommand {}

  /** Stop and close a node, then remove it. Answered with {@link ManagerProtocol.NodeRemoved}. */
  public record RemoveNode(long epoch, NodePath path) implements ManagerCommand {}

  /**
   * Set a node's requested state; the node is driven there. A request with a lower {@code seq} than
   * the node's last one is ignored, so a repeat never undoes a newer request.
   */
  public record RequestState(long epoch, NodePath path, NodeState requested, long seq) implements ManagerCommand {}

  /** Set a node's mode; a stalled node set to AUTO is restarted. */
  public record SetMode(long epoch, NodePath path, Mode mode) implements ManagerCommand {}

  /** Send a full {@link ManagerProtocol.HostSnapshot}, e.g. after the Manager saw a gap in events. */
  public record SendSnapshot(long epoch) implements ManagerCommand {}

  /** SIGKILL to the whole session of a process node; the Manager has requested STOPPED just before. */
  public record KillNode(long epoch, NodePath path) implements ManagerCommand {}

  /** Write a line to a process node's stdin; answered to {@code replyTo}, by the host. */
  public record SendInput(long epoch, NodePath path, String line, ActorRef<ManagerProtocol.Reply> replyTo) implements ManagerCommand {}

  /**
   * A call on the host itself (ports, environment); answered to {@code replyTo}, by the host, with
   * {@link ManagerProtocol.HostAnswer} or {@link ManagerProtocol.Failed}.
   */
  public record HostCall(long epoch, HostRequest request, ActorRef<ManagerProtocol.Reply> replyTo) implements ManagerCommand {}

  /**
   * Check, without creating anything, that this host could run each spec (its type is known and
   * allowed, its executable allowed); answered with {@link ManagerProtocol.SpecsChecked}.
   */
  public record CheckSpecs(long epoch, List<NodeSpec> specs, ActorRef<ManagerProtocol.SpecsChecked> replyTo)
      implements ManagerCommand {
    public CheckSpecs {
      specs = List.copyOf(specs);
    }
  }
}
