package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.serialization.jackson.JacksonCborSerializer;
import io.shepherd.testing.RoundTrip;
import io.shepherd.testing.TestConfig;
import io.shepherd.testing.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Every type that crosses a JVM goes through Jackson CBOR and comes back equal. */
public class ProtocolSerializationTest {

  static final ActorTestKit testKit = ActorTestKit.create("serialization", TestConfig.local());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static final NodePath PATH = NodePath.parse("daq1/acq/sine");
  static final GroupPath GROUP = GroupPath.parse("any/acq");
  static final RestartPolicy POLICY = new RestartPolicy(
      Duration.ofMillis(100), Duration.ofSeconds(10), 0.2, Duration.ofSeconds(30), 5, Duration.ofMinutes(1));
  static final NodeSpec SPEC = new NodeSpec("sine", Map.of("rate", "100", "amplitude", "2.5"), Mode.MANAGED, POLICY);
  static final NodeStatus STATUS = new NodeStatus(PATH, "daq1", "sine", NodeState.RUNNING, NodeState.RUNNING, Mode.AUTO,
      false, 2, "start() threw IllegalStateException: boom", Instant.parse("2026-11-22T10:15:30.123Z"), 0.97,
      "akka://shepherd@127.0.0.1:2560#42", 4242L, "running", Instant.parse("2026-11-22T10:16:00Z"), 7, 3, "none", true,
      "io.shepherd.host.nodes.SineNode", "taking data: 3 of 8", "waiting for daq1/acq/digitizer: STARTING");
  static final ProcessSpec PROCESS = new ProcessSpec(List.of("/usr/bin/python3", "-u", "rec.py", "--port", "${port:data}"),
      Map.of("OUT", "/data", "PORT", "${port:data}"), "/opt/daq", true, Duration.ofSeconds(7));
  static final NodeSpec PROCESS_SPEC = NodeSpec.process(PROCESS).withMode(Mode.MANAGED).withRestart(POLICY)
      .withAutorestart(Autorestart.ON_FAILURE)
      .withReadiness(Probe.tcp("${port:data}").withPeriod(Duration.ofMillis(250)).withTimeout(Duration.ofMillis(500)))
      .withLiveness(Probe.command("/usr/bin/check", "--port", "${port:data}").withFailures(5))
      .withStartTimeout(Duration.ofSeconds(45))
      .withDependsOn(List.of(NodePath.parse("daq1/acq/digitizer"))).withOnDependencyFailure(DependencyFailure.RESTART);
  static final Site SITE = new Site("site.conf", List.of(
      new Site.Group(GROUP, List.of(new Site.Node(GROUP.node("rec"), PROCESS_SPEC, NodeState.STOPPED),
          new Site.Node(GROUP.node("sine"), SPEC, NodeState.RUNNING)))));
  static final LogRecord LOG_RECORD = new LogRecord("daq1@127.0.0.1:2552#7", 41, 1_763_806_530_123_456L, LogLevel.ERROR,
      "daq1/acq/sine", "node.daq1/acq/sine", "node-daq1/acq/sine-1-1", "start() threw",
      "java.lang.IllegalStateException: boom\n\tat x.Y.z(Y.java:1)\n");
  static final Event EVENT = Event.of(3, 42, Instant.parse("2026-11-22T10:15:30.5Z"), Event.CRASH).withNode(STATUS, NodeState.RUNNING)
      .withReason("start() threw").withMessage("restarted by Shepherd");
  static final Checkpoint CHECKPOINT = new Checkpoint(new byte[] {1, 2, 3, -1}, Instant.parse("2026-11-22T10:15:31.5Z"));
  static final HostInfo HOST_INFO = new HostInfo("daq1", "akka://shepherd@127.0.0.1:2551", -4711L,
      List.of("sine", "counter"), List.of("org.example.nodes"), 123456789L, List.of("/usr/bin/python3", "/opt/daq/bin/*"),
      "cgroup v1: pids, memory, cpu");

  /** A sample of every type that crosses a JVM from this module (other modules' tests add theirs). */
  public static List<Object> samples() {
    ActorRef<HostProtocol.Command> host = testKit.<HostProtocol.Command>createTestProbe().getRef();
    ActorRef<ManagerProtocol.Command> manager = testKit.<ManagerProtocol.Command>createTestProbe().getRef();
    ActorRef<ManagerProtocol.Reply> reply = testKit.<ManagerProtocol.Reply>createTestProbe().getRef();
    ActorRef<ManagerProtocol.StatusPart> statusReply = testKit.<ManagerProtocol.StatusPart>createTestProbe().getRef();
    ClusterStatus cluster = new ClusterStatus(
        new ClusterStatus.Manager("akka://shepherd@127.0.0.1:2551", 3, "akka://shepherd@127.0.0.1:2552"),
        List.of(new ClusterStatus.Member("akka://shepherd@127.0.0.1:2551", List.of("manager", "host"), "Up", true)),
        List.of(new ClusterStatus.Host("daq1", "akka://shepherd@127.0.0.1:2551", "UP", 1, 1, Map.of("host", "DEBUG"), "cgroup v2: pids")),
        List.of(new ClusterStatus.Group(GROUP, "daq1", true, null, "UP", Map.of("MySine", "io.shepherd.host.nodes.SineNode"))),
        List.of(STATUS), true, new LogProtocol.LogStats(1234, 3, 1, 17, 5, 2, "/var/log/shepherd/shepherd.log"));
    return List.of(
        SPEC, POLICY, STATUS, HOST_INFO, cluster,
        cluster.manager(), cluster.members().get(0), cluster.hosts().get(0), cluster.groups().get(0),
        new HostProtocol.Registered(3, manager),
        new HostProtocol.Reconnect(3, manager),
        new HostProtocol.Declined(3, "host id daq1 is taken"),
        new HostProtocol.CreateGroup(3, GROUP),
        new HostProtocol.RemoveGroup(3, GROUP),
        new HostProtocol.CreateNode(3, PATH, SPEC, NodeState.RUNNING, 11, CHECKPOINT, 4),
        new HostProtocol.CreateNode(3, PATH, SPEC, NodeState.RUNNING, 11, null, 0),
        new HostProtocol.SetMode(3, PATH, Mode.MANAGED),
        new HostProtocol.RemoveNode(3, PATH),
        new HostProtocol.RequestState(3, PATH, NodeState.STOPPED, 12),
        new HostProtocol.SendSnapshot(3),
        new ManagerProtocol.RegisterHost(HOST_INFO, host),
        new ManagerProtocol.HostSnapshot("daq1", 3, 40, 0, 2, List.of(GROUP), List.of(STATUS)),
        new ManagerProtocol.HostSnapshot("daq1", 3, 40, 0, 2, List.of(GROUP), List.of(STATUS), Map.of("node:daq1/acq/sine", "DEBUG")),
        new ManagerProtocol.NodeUpdated("daq1", 41, STATUS),
        new ManagerProtocol.NodeRemoved("daq1", 42, PATH),
        new ManagerProtocol.NodeRejected("daq1", 43, PATH, ErrorCode.UNKNOWN_TYPE, "no node type 'sin'"),
        new ManagerProtocol.NodeNotified("daq1", 46, PATH, "laser unlocked", Instant.parse("2026-11-22T10:15:30Z")),
        new ManagerProtocol.NodeCheckpointed("daq1", 47, PATH, CHECKPOINT),
        new ManagerProtocol.SetMode(List.of(PATH), Mode.MANAGED, "session-1", reply),
        new ManagerProtocol.Revive(List.of(PATH), reply),
        new ManagerProtocol.RegisterType(GROUP, "MySine", "io.shepherd.host.nodes.SineNode", reply),
        CHECKPOINT,
        new Fault.NodeError(PATH, "start() threw", Instant.parse("2026-11-22T10:15:30Z")),
        new Fault.ConnectionLost(PATH, "daq1", "host is DOWN", Instant.parse("2026-11-22T10:15:30Z")),
        new Fault.Notification(PATH, "laser unlocked", Instant.parse("2026-11-22T10:15:30Z")),
        new Fault.ModeChanged(PATH, Mode.AUTO, "client-2", Instant.parse("2026-11-22T10:15:30Z")),
        new Fault.RequestChanged(PATH, NodeState.STOPPED, "site file site.conf", Instant.parse("2026-11-22T10:15:30Z")),
        new ManagerProtocol.GroupCreated("daq1", 44, GROUP),
        new ManagerProtocol.GroupRemoved("daq1", 45, GROUP),
        new ManagerProtocol.HostEvents(List.of(new ManagerProtocol.GroupCreated("daq1", 44, GROUP),
            new ManagerProtocol.NodeUpdated("daq1", 45, STATUS), new ManagerProtocol.NodeRemoved("daq1", 46, PATH),
            new ManagerProtocol.NodeRejected("daq1", 47, PATH, ErrorCode.UNKNOWN_TYPE, "no node type 'sin'"),
            new ManagerProtocol.NodeNotified("daq1", 48, PATH, "laser unlocked", Instant.parse("2026-11-22T10:15:30Z")),
            new ManagerProtocol.NodeCheckpointed("daq1", 49, PATH, CHECKPOINT), new ManagerProtocol.GroupRemoved("daq1", 50, GROUP))),
        new ManagerProtocol.GetStatus(statusReply),
        new ManagerProtocol.StatusPart(0, 1, cluster),
        new ManagerProtocol.CreateGroup(GROUP, false, "client-1", reply),
        new ManagerProtocol.RemoveGroup(GROUP, reply),
        new ManagerProtocol.CreateNode(PATH, SPEC, NodeState.CREATED, reply),
        new ManagerProtocol.RemoveNode(PATH, reply),
        new ManagerProtocol.Perform(PATH, LifecycleAction.START, reply),
        new ManagerProtocol.Request(PATH, NodeState.RUNNING, true, reply),
        new ManagerProtocol.Request(PATH, NodeState.STOPPED, false, "session-7", reply),
        new ManagerProtocol.ClientLeaving("client-1", reply),
        PROCESS, PROCESS_SPEC, PROCESS_SPEC.readiness(), PROCESS_SPEC.liveness(), SITE, SITE.groups().get(0), SITE.groups().get(0).nodes().get(0),
        new HostRequest.BindPorts(true, 3),
        new HostRequest.ReleasePorts(false, List.of(40001, 40002)),
        new HostRequest.ListPorts(false),
        new HostRequest.ListPorts(true),
        new HostRequest.GetEnv("PATH"),
        new HostRequest.GetEnv(null),
        new HostRequest.SetEnv("DATA_DIR", "/data"),
        new HostRequest.SetEnv("DATA_DIR", null),
        new HostRequest.SetLogLevel("node:daq1/acq/sine", "debug"),
        new HostRequest.SetLogLevel("logger:io.lab.daq", "default"),
        new ManagerProtocol.SetLogLevel("daq1/acq/sine", "DEBUG", reply),
        new HostProtocol.HostCall(3, new HostRequest.SetLogLevel("host", "WARN"), reply),
        new ManagerProtocol.HostAnswer("log level of host set to WARN on host daq1", null, null, Map.of("host", "WARN")),
        PROCESS.withLimits(new ProcessSpec.Limits(512L << 20, 1.5, 256)),
        new ProcessSpec.Limits(null, null, 64),
        new HostProtocol.KillNode(3, PATH),
        new HostProtocol.SendInput(3, PATH, "gain 2", reply),
        new HostProtocol.HostCall(3, new HostRequest.BindPorts(false, 2), reply),
        new HostProtocol.CheckSpecs(3, List.of(SPEC, PROCESS_SPEC), testKit.<ManagerProtocol.SpecsChecked>createTestProbe().getRef()),
        new ManagerProtocol.KillNode(PATH, reply),
        new ManagerProtocol.Purge(PATH, reply),
        new ManagerProtocol.SendInput(PATH, "gain 2", reply),
        new ManagerProtocol.HostCall("daq1", new HostRequest.SetEnv("X", "1"), reply),
        new ManagerProtocol.ApplySite(SITE, false, reply),
        new ManagerProtocol.ApplySite(SITE, true, reply),
        new ManagerProtocol.Restart(List.of("daq1/acq", "all"), reply),
        new ManagerProtocol.RenewLease("session-1", 15_000, reply),
        new ManagerProtocol.SubscribeEvents(3, 41, testKit.<ManagerProtocol.EventBatch>createTestProbe().getRef()),
        new ManagerProtocol.UnsubscribeEvents(testKit.<ManagerProtocol.EventBatch>createTestProbe().getRef()),
        new ManagerProtocol.EventBatch(3, List.of(EVENT, Event.ofFault(3, 43, new Fault.ModeChanged(PATH, Mode.AUTO, "session-2",
            Instant.parse("2026-11-22T10:15:30Z")), "session-1")), false),
        EVENT,
        new ManagerProtocol.Update(List.of(new ManagerProtocol.TargetState("all", NodeState.RUNNING),
            new ManagerProtocol.TargetState("daq1/acq/sine", NodeState.STOPPED)), reply),
        new ManagerProtocol.Update(List.of(new ManagerProtocol.TargetState("daq1", NodeState.RUNNING)), "host daq1 --initial-state", reply),
        new ManagerProtocol.TargetState("daq1", NodeState.STOPPED),
        new ManagerProtocol.SpecsChecked("daq1", List.of(new ManagerProtocol.SpecProblem(1, ErrorCode.NOT_ALLOWED, "no"))),
        new ManagerProtocol.SpecProblem(0, ErrorCode.UNKNOWN_TYPE, "unknown node type"),
        new ManagerProtocol.HostAnswer("reserved", List.of(40001), Map.of("X", "1")),
        new ManagerProtocol.SiteApplied(List.of("any/acq/rec"), List.of(), List.of("daq1/old/x"), List.of("any/acq/sine")),
        LOG_RECORD, new LogFilter("daq1/**", LogLevel.WARN, 1_700_000_000_000_000L), LogFilter.all(),
        new LogProtocol.LogBatch("daq1@127.0.0.1:2552#7", 41, List.of(LOG_RECORD), 3, testKit.<LogProtocol.Ack>createTestProbe().getRef()),
        new LogProtocol.Ack("daq1@127.0.0.1:2552#7", 41),
        new LogProtocol.Subscribe(LogFilter.all(), testKit.<LogProtocol.Delivery>createTestProbe().getRef()),
        new LogProtocol.Unsubscribe(testKit.<LogProtocol.Delivery>createTestProbe().getRef()),
        new LogProtocol.Delivery(5, List.of(LOG_RECORD), 12, testKit.<LogProtocol.Command>createTestProbe().getRef()),
        new LogProtocol.Delivered(testKit.<LogProtocol.Delivery>createTestProbe().getRef(), 5),
        new LogProtocol.QueryTail(LogFilter.all(), 100, testKit.<LogProtocol.Tail>createTestProbe().getRef()),
        new LogProtocol.Tail(List.of(LOG_RECORD), new LogProtocol.LogStats(10, 2, 0, 0, 0, 0, null)),
        new LogProtocol.LogStats(10, 2, 1, 5, 7, 1, "/tmp/shepherd.log"),
        new SentinelProtocol.Introduce("akka://shepherd@127.0.0.1:2552", -4711L, "9f3c2a", "127.0.0.1", 2552),
        new ManagerProtocol.Ok("started", STATUS),
        new ManagerProtocol.Ok("removed", null),
        new ManagerProtocol.Failed(ErrorCode.INVALID_TRANSITION, "cannot start"));
  }

  @Test
  void everySampleRoundTripsThroughJacksonCbor() {
    for (Object sample : samples()) {
      assertInstanceOf(JacksonCborSerializer.class, RoundTrip.serializerFor(testKit.system(), sample),
          sample.getClass() + " must be bound to jackson-cbor");
      assertEquals(sample, RoundTrip.roundTrip(testKit.system(), sample), "round trip of " + sample.getClass().getName());
    }
  }

  @Test
  void everyCrossJvmTypeHasASample() throws Exception {
    Set<String> sampled = samples().stream().map(o -> o.getClass().getName()).collect(Collectors.toCollection(TreeSet::new));
    List<Class<?>> types = WireTypes.onClassPath();
    assertTrue(types.contains(NodeStatus.class), "the scan finds this module's types: " + types);
    List<String> missing = types.stream().map(Class::getName).filter(n -> !sampled.contains(n)).toList();
    assertEquals(List.of(), missing, "every CborSerializable type needs a round-trip sample");
  }

  @Test
  void noTypeCrossesTheWireByClassName() throws Exception {
    List<Class<?>> types = new ArrayList<>(WireTypes.onClassPath());
    types.add(HostRequest.class);
    types.forEach(WireTypes::assertNoClassNames);
  }
}
