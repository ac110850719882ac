package io.shepherd.manager;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NextAction;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A host agent played by a test probe: registers, answers with events, and shows what the Manager asks. */
final class FakeHost {

  static final Duration WAIT = Duration.ofSeconds(10);

  final String id;
  final TestProbe<HostProtocol.Command> probe;
  final HostInfo info;
  ActorRef<ManagerProtocol.Command> manager;
  long epoch;
  long seq;

  FakeHost(ActorTestKit kit, String id, String address, long memberUid) {
    this.id = id;
    this.probe = kit.createTestProbe();
    this.info = new HostInfo(id, address, memberUid, List.of("noop", "sine"), List.of("org.example"), 1, List.of("/bin/sleep"));
  }

  HostProtocol.Registered register(ActorRef<ManagerProtocol.Command> to) {
    to.tell(new ManagerProtocol.RegisterHost(info, probe.getRef()));
    HostProtocol.Registered registered = probe.expectMessageClass(HostProtocol.Registered.class, WAIT);
    manager = registered.manager();
    epoch = registered.epoch();
    return registered;
  }

  void snapshot(List<GroupPath> groups, List<NodeStatus> nodes) {
    manager.tell(new ManagerProtocol.HostSnapshot(id, epoch, seq, 0, 1, groups, nodes));
  }

  void groupCreated(GroupPath group) {
    manager.tell(new ManagerProtocol.GroupCreated(id, ++seq, group));
  }

  void groupRemoved(GroupPath group) {
    manager.tell(new ManagerProtocol.GroupRemoved(id, ++seq, group));
  }

  void nodeUpdated(NodeStatus status) {
    manager.tell(new ManagerProtocol.NodeUpdated(id, ++seq, status));
  }

  /** Node changes that happened together, in one message, as a host sends a burst. */
  void nodesUpdated(NodeStatus... statuses) {
    List<ManagerProtocol.HostEvent> events = new ArrayList<>();
    for (NodeStatus status : statuses) {
      events.add(new ManagerProtocol.NodeUpdated(id, ++seq, status));
    }
    manager.tell(new ManagerProtocol.HostEvents(events));
  }

  void nodeRemoved(NodePath path) {
    manager.tell(new ManagerProtocol.NodeRemoved(id, ++seq, path));
  }

  NodeStatus status(NodePath path, NodeState state, NodeState requested, long requestSeq) {
    return new NodeStatus(path, id, "noop", state, requested, Mode.AUTO, false, 0, null, null, 1.0, null, null, null,
        Instant.now(), requestSeq, 1, NextAction.of(state, requested, false, false));
  }

  /** The next command of a type from the Manager, skipping others. */
  @SuppressWarnings("unchecked")
  <T extends HostProtocol.Command> T expect(Class<T> type) {
    Object[] found = new Object[1];
    probe.fishForMessage(WAIT, m -> {
      if (type.isInstance(m)) {
        found[0] = m;
        return FishingOutcomes.complete();
      }
      return FishingOutcomes.continueAndIgnore();
    });
    return (T) found[0];
  }
}
