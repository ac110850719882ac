package io.shepherd.client;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.Fault;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogRecord;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client API against a real member (manager and host) in this JVM. */
class ClientTest {

  static OneMember member;
  static ShepherdClient client;

  @BeforeAll
  static void startMember() throws Exception {
    member = new OneMember("""
        shepherd.host.allowed-packages = ["io.shepherd.host.nodes"]
        shepherd.host.work-root = "target/shepherd-work"
        """);
    client = member.client();
  }

  @AfterAll
  static void stopMember() throws Exception {
    if (client != null) {
      client.close();
    }
    member.close();
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  static <E extends ShepherdException> E failure(Class<E> type, CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    assertInstanceOf(type, e.getCause(), () -> "expected " + type.getSimpleName() + ", got " + e.getCause());
    return type.cast(e.getCause());
  }

  @Test
  void aNodeGoesThroughItsWholeLifecycle() {
    get(client.createGroup("daq1/life"));
    NodeStatus created = get(client.createNode("daq1/life/sine", "sine", Map.of("frequency", "3")));
    assertEquals(NodeState.CREATED, created.state());
    assertEquals(NodeState.CONFIGURED, get(client.configure("daq1/life/sine")).state());
    assertEquals(NodeState.INITIALIZED, get(client.initialize("daq1/life/sine")).state());
    assertEquals(NodeState.RUNNING, get(client.start("daq1/life/sine")).state());
    assertEquals(NodeState.STOPPED, get(client.stop("daq1/life/sine")).state());
    assertEquals(NodeState.RUNNING, get(client.start("daq1/life/sine")).state());
    assertEquals(NodeState.STOPPED, get(client.stop("daq1/life/sine")).state());
    assertEquals(NodeState.CLOSED, get(client.close("daq1/life/sine")).state());
    get(client.removeNode("daq1/life/sine"));
    get(client.removeGroup("daq1/life"));
    assertTrue(get(client.status()).nodes().stream().noneMatch(n -> n.path().toString().startsWith("daq1/life/")));
  }

  @Test
  void twoThousandCallsAtOnceAllGetTheirAnswer() {
    // More than the 1,024 connections a member's API accepts: the client takes them a few at a time.
    // Every call's timeout runs from when it is made, so the last ones wait for the first: a timeout
    // for the whole queue, as its user would give it, keeps a busy machine from failing what is
    // tested here (that every call gets its answer, none lost or refused).
    try (ShepherdClient patient = ShepherdClient.connect(member.settings().withCallTimeout(Duration.ofSeconds(120)))) {
      get(patient.createGroup("daq1/many"));
      get(patient.createNode("daq1/many/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING));
      List<CompletableFuture<NodeStatus>> calls = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        calls.add(patient.nodeStatus("daq1/many/n").toCompletableFuture());
      }
      calls.forEach(call -> assertEquals("daq1/many/n", call.join().path().toString()));
      get(patient.removeGroup("daq1/many"));
    }
  }

  @Test
  void aHostReservesPortsUntilReleasedAndKeepsAnEnvironmentForItsProcesses() {
    List<Integer> tcp = get(client.host("daq1").bindTcp(2));
    List<Integer> more = get(client.host("daq1").bindTcp(1));
    List<Integer> udp = get(client.host("daq1").bindUdp(1));
    assertEquals(2, tcp.size());
    assertTrue(get(client.host("daq1").reservedPorts(false)).containsAll(List.of(tcp.get(0), tcp.get(1), more.get(0))));
    assertTrue(get(client.host("daq1").reservedPorts(true)).containsAll(udp));
    assertEquals(3, Set.copyOf(List.of(tcp.get(0), tcp.get(1), more.get(0))).size(), "a reserved port is not handed out twice");
    assertTrue(Stream.of(tcp, more, udp).flatMap(List::stream).allMatch(p -> p > 0 && p < 65536), tcp + " " + more + " " + udp);
    assertEquals(Set.copyOf(tcp), Set.copyOf(get(client.host("daq1").release(false, tcp))));
    assertEquals(List.of(), get(client.host("daq1").release(false, tcp)), "released already: nothing left to release");
    assertEquals(udp, get(client.host("daq1").release(true, udp)));
    get(client.host("daq1").release(false, more));
    assertTrue(get(client.host("daq1").reservedPorts(false)).stream().noneMatch(p -> tcp.contains(p) || more.contains(p)), "released");
    assertTrue(get(client.host("daq1").reservedPorts(true)).stream().noneMatch(udp::contains), "released");

    get(client.host("daq1").setEnv("SHEPHERD_TEST_GAIN", "2.5"));
    assertEquals(Optional.of("2.5"), get(client.host("daq1").getEnv("SHEPHERD_TEST_GAIN")));
    assertEquals("2.5", get(client.host("daq1").environment()).get("SHEPHERD_TEST_GAIN"));
    get(client.host("daq1").setEnv("SHEPHERD_TEST_GAIN", null));
    assertEquals(Optional.empty(), get(client.host("daq1").getEnv("SHEPHERD_TEST_GAIN")));
    assertFalse(get(client.host("daq1").environment()).containsKey("SHEPHERD_TEST_GAIN"));
  }

  @Test
  void theLogServerTailHoldsANodesRecords() throws InterruptedException {
    get(client.createGroup("daq1/tail"));
    get(client.createNode("daq1/tail/counter", NodeSpec.of("counter", Map.of("report-every", "100ms")), NodeState.RUNNING));
    LogFilter filter = new LogFilter("daq1/tail/counter", LogLevel.INFO, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<LogRecord> records = List.of();
    while (records.stream().noneMatch(r -> r.message().startsWith("count ")) && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(100);
      records = get(client.logs().tail(filter, 10)).records();
    }
    assertTrue(records.stream().anyMatch(r -> r.message().startsWith("count ")), records.toString());
    assertTrue(records.size() <= 10, "at most the limit");
    assertTrue(records.stream().allMatch(r -> "daq1/tail/counter".equals(r.node())), "only the node asked for: " + records);
    get(client.removeGroup("daq1/tail"));
  }

  @Test
  void requestsDriveANodeThroughEveryStepAndArrive() {
    get(client.createGroup("daq1/req"));
    get(client.createNode("daq1/req/counter", NodeSpec.of("counter", Map.of()), NodeState.CREATED));
    NodeStatus running = get(client.requestAndAwait("daq1/req/counter", NodeState.RUNNING));
    assertEquals(NodeState.RUNNING, running.state());
    assertTrue(running.arrived());
    get(client.request("daq1/req/counter", NodeState.CLOSED));
    NodeStatus closed = get(client.requestAndAwait("daq1/req/counter", NodeState.CLOSED));
    assertEquals(NodeState.CLOSED, closed.state());
  }

  @Test
  void startBeforeInitializeIsRefusedNamingTheStateAndNothingChanges() {
    get(client.createGroup("daq1/order"));
    get(client.createNode("daq1/order/n", "noop", Map.of()));
    ShepherdException.InvalidTransition e = failure(ShepherdException.InvalidTransition.class, client.start("daq1/order/n"));
    assertEquals("cannot start daq1/order/n: it is CREATED; from CREATED only configure, close are allowed", e.getMessage());
    NodeStatus unchanged = get(client.nodeStatus("daq1/order/n"));
    assertEquals(NodeState.CREATED, unchanged.state());
    assertEquals(NodeState.CREATED, unchanged.requested());
  }

  @Test
  void badInputFailsWithTypedExceptionsAndChangesNothing() {
    get(client.createGroup("daq1/bad"));
    get(client.createNode("daq1/bad/n", "noop", Map.of()));
    ClusterStatus before = get(client.status());

    assertTrue(failure(ShepherdException.InvalidArgument.class, client.createGroup("daq1")).getMessage().contains("HOST/GROUP"));
    failure(ShepherdException.InvalidArgument.class, client.createGroup(""));
    failure(ShepherdException.InvalidArgument.class, client.createGroup(null));
    failure(ShepherdException.InvalidArgument.class, client.createGroup("daq1/" + "g".repeat(10_000)));
    failure(ShepherdException.InvalidArgument.class, client.createNode("daq1/bad/n/extra", "noop", Map.of()));
    failure(ShepherdException.InvalidArgument.class, client.createNode("daq1/bad/x y", "noop", Map.of()));
    failure(ShepherdException.InvalidArgument.class, client.createNode("daq1/bad/x", "", Map.of()));
    failure(ShepherdException.InvalidArgument.class, client.start("not a path"));
    failure(ShepherdException.InvalidArgument.class, client.requestAndAwait("daq1/bad/n", null));
    assertTrue(failure(ShepherdException.UnknownHost.class, client.createGroup("daq9/acq")).getMessage().contains("hosts: daq1"));
    failure(ShepherdException.DuplicateName.class, client.createGroup("daq1/bad"));
    failure(ShepherdException.DuplicateName.class, client.createNode("daq1/bad/n", "noop", Map.of()));
    assertTrue(failure(ShepherdException.UnknownType.class, client.createNode("daq1/bad/y", "sin", Map.of()))
        .getMessage().contains("unknown node type 'sin' on host daq1"));
    failure(ShepherdException.NotAllowed.class, client.createNode("daq1/bad/y", "java.lang.Runtime", Map.of()));
    failure(ShepherdException.UnknownType.class, client.createNode("daq1/bad/y", "io.shepherd.host.nodes.Missing", Map.of()));
    failure(ShepherdException.NoSuchGroup.class, client.createNode("daq1/nogroup/y", "noop", Map.of()));
    failure(ShepherdException.NoSuchNode.class, client.start("daq1/bad/ghost"));
    failure(ShepherdException.NoSuchNode.class, client.removeNode("daq1/bad/ghost"));
    failure(ShepherdException.NoSuchGroup.class, client.removeGroup("daq1/ghost"));
    failure(ShepherdException.InvalidTransition.class, client.request("daq1/bad/n", NodeState.CREATED));
    failure(ShepherdException.InvalidTransition.class, client.stop("daq1/bad/n"));

    ClusterStatus after = get(client.status());
    assertEquals(before.groups(), after.groups());
    assertEquals(before.nodes().stream().map(n -> n.path() + ":" + n.state() + ":" + n.requested()).toList(),
        after.nodes().stream().map(n -> n.path() + ":" + n.state() + ":" + n.requested()).toList());
  }

  @Test
  void aNodeClassFromAnAllowedPackageIsLoadedByName() {
    get(client.createGroup("daq1/classes"));
    NodeStatus status = get(client.createNode("daq1/classes/n", NodeSpec.of("io.shepherd.host.nodes.NoopNode", Map.of()),
        NodeState.RUNNING));
    assertEquals("io.shepherd.host.nodes.NoopNode", status.type());
    assertEquals(NodeState.RUNNING, get(client.requestAndAwait("daq1/classes/n", NodeState.RUNNING)).state());
  }

  @Test
  void aCallbackThatThrowsFailsTheCall() {
    get(client.createGroup("daq1/crash"));
    get(client.createNode("daq1/crash/f", "flaky", Map.of("fail-in", "configure", "fail-times", "1")));
    ShepherdException.NodeFailed e = failure(ShepherdException.NodeFailed.class, client.configure("daq1/crash/f"));
    assertTrue(e.getMessage().contains("configure() threw IllegalStateException"), e.getMessage());
  }

  static void poll(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
      Thread.sleep(50);
    }
  }

  @Test
  void aManagedNodeStallsAfterACrashReportsItAndIsRevived() throws Exception {
    get(client.createGroup("daq1/guard"));
    get(client.createNode("daq1/guard/f", "flaky", Map.of("fail-after", "300ms", "fail-times", "1")));
    try (NodeManager nodes = client.nodeManager("daq1/guard/f")) {
      get(nodes.setManaged());
      get(client.requestAndAwait("daq1/guard/f", NodeState.RUNNING));
      poll("the node to stall", () -> get(nodes.stalledNodes()).size() == 1);
      assertFalse(get(nodes.arrived()));
      List<Fault> faults = nodes.check();
      assertTrue(faults.stream().anyMatch(f -> f instanceof Fault.NodeError e
          && e.reason().contains("flaky node failed after 300 ms")), faults.toString());
      assertTrue(nodes.check().isEmpty(), "check returns the faults since the last check");
      NodeStatus stalled = get(client.nodeStatus("daq1/guard/f"));
      assertEquals(NodeState.FAILED, stalled.state());
      assertEquals(0, stalled.restarts(), "a MANAGED node is not restarted by Shepherd");
      get(nodes.revive("daq1/guard/f"));
      poll("the revived node to arrive", () -> get(nodes.arrived()));
      assertTrue(get(nodes.stalledNodes()).isEmpty());
    }
  }

  @Test
  void anotherClientTakingOverAManagedNodeIsReported() throws Exception {
    get(client.createGroup("daq1/takeover"));
    get(client.createNode("daq1/takeover/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING));
    try (NodeManager mine = client.nodeManager("daq1/takeover/n");
         ShepherdClient other = ShepherdClient.connect(member.settings())) {
      BlockingQueue<Fault> pushed = new LinkedBlockingQueue<>();
      mine.subscribe(pushed::add);
      get(mine.setManaged());
      get(other.nodeManager("daq1/takeover/n").setManaged());
      Fault fault = pushed.poll(30, TimeUnit.SECONDS);
      assertInstanceOf(Fault.ModeChanged.class, fault);
      assertEquals(other.clientId(), ((Fault.ModeChanged) fault).by());
      assertEquals(other.clientId(), get(client.nodeStatus("daq1/takeover/n")).managedBy());
    }
    // The other client closed its session: the node it managed recovers by itself again.
    poll("the node back in AUTO", () -> get(client.nodeStatus("daq1/takeover/n")).mode() == Mode.AUTO);
  }

  @Test
  void aCheckerToldWhereToFailReturnsRequestsThatOfEveryNodeOncePerFault() throws Exception {
    get(client.createGroup("daq1/jump"));
    get(client.createNode("daq1/jump/f", "flaky", Map.of("fail-after", "300ms", "fail-times", "1")));
    get(client.createNode("daq1/jump/g", NodeSpec.of("noop", Map.of()), NodeState.CREATED));
    try (NodeManager nodes = client.nodeManager("daq1/jump/f", "daq1/jump/g")) {
      get(nodes.setManaged());
      assertEquals(new NodeManager.Checked(List.of(), null, Map.of()), get(nodes.check(NodeState.STOPPED)), "no fault, no jump");
      get(nodes.requestAll(NodeState.RUNNING));
      poll("the flaky node to stall", () -> get(nodes.stalledNodes()).size() == 1);
      NodeManager.Checked[] seen = new NodeManager.Checked[1];
      poll("the crash seen by the checker", () -> (seen[0] = get(nodes.check(NodeState.STOPPED))).jumped());
      assertTrue(seen[0].faults().stream().anyMatch(f -> f instanceof Fault.NodeError), seen[0].toString());
      assertEquals(NodeState.STOPPED, seen[0].requested());
      assertEquals(Map.of(), seen[0].refused());
      poll("every node of the set down after the jump", () -> get(nodes.statuses()).stream()
          .allMatch(n -> n.requested() == NodeState.STOPPED && n.arrived()));
      assertFalse(get(nodes.check(NodeState.STOPPED)).jumped(), "once per fault: the next check finds none");
      failure(ShepherdException.InvalidArgument.class, nodes.check(null));
    }
  }

  @Test
  void whoeverMovesAManagedNodeIsReportedToItsManagerAndAManagerThatLostItIsRefusedUntilItTakesItBack() throws Exception {
    get(client.createGroup("daq1/contract"));
    get(client.createNode("daq1/contract/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING));
    try (NodeManager mine = client.nodeManager("daq1/contract/n");
         ShepherdClient other = ShepherdClient.connect(member.settings())) {
      BlockingQueue<Fault> faults = new LinkedBlockingQueue<>();
      mine.subscribe(faults::add);
      get(mine.setManaged());
      get(mine.request("daq1/contract/n", NodeState.STOPPED));
      get(other.request("daq1/contract/n", NodeState.RUNNING));
      Fault.RequestChanged moved = assertInstanceOf(Fault.RequestChanged.class, faults.poll(30, TimeUnit.SECONDS),
          "only the other client's request is a fault, not the manager's own");
      assertEquals(NodeState.RUNNING, moved.requested());
      assertNotEquals(client.clientId(), moved.by(), "the other client asked, not the manager");

      get(other.nodeManager("daq1/contract/n").setManaged());
      assertInstanceOf(Fault.ModeChanged.class, faults.poll(30, TimeUnit.SECONDS));
      ShepherdException.NotAllowed refused = failure(ShepherdException.NotAllowed.class,
          mine.request("daq1/contract/n", NodeState.STOPPED));
      assertTrue(refused.getMessage().contains("managed by " + other.clientId()), refused.getMessage());
      NodeManager.Checked jumped = get(mine.check(NodeState.STOPPED));
      assertEquals(2, jumped.faults().size(), "the other client's request and its take-over: " + jumped);
      assertTrue(jumped.refused().get(NodePath.parse("daq1/contract/n")).contains("managed by " + other.clientId()), jumped.toString());
      assertEquals(NodeState.RUNNING, get(client.nodeStatus("daq1/contract/n")).requested(), "a refused request changes nothing");
      get(mine.setManaged());
      get(mine.request("daq1/contract/n", NodeState.STOPPED));
      NodeStatus taken = get(client.nodeStatus("daq1/contract/n"));
      assertEquals(NodeState.STOPPED, taken.requested(), "taken back, it may ask again");
      assertEquals("io.shepherd.host.nodes.NoopNode", taken.agentClass(), "OCS's agent_class: what the type 'noop' runs");
    }
  }

  @Test
  void aSiteFileThatMovesAManagedNodeIsReportedToItsManager() throws Exception {
    String site = "hosts.daq1.groups.sited.nodes.x { type = noop, target = %s }\n";
    get(client.apply(site.formatted("up"), "contract.conf", false));
    try (NodeManager mine = client.nodeManager("daq1/sited/x")) {
      BlockingQueue<Fault> faults = new LinkedBlockingQueue<>();
      mine.subscribe(faults::add);
      get(mine.setManaged());
      get(client.apply(site.formatted("down"), "contract.conf", false));
      Fault.RequestChanged moved = assertInstanceOf(Fault.RequestChanged.class, faults.poll(30, TimeUnit.SECONDS));
      assertEquals("site file contract.conf", moved.by());
      assertEquals(NodeState.STOPPED, moved.requested());
    } finally {
      get(client.apply("hosts {}\n", "contract.conf", false));
    }
  }

  @Test
  void aNodeTypeRegisteredInAGroupAtRunTimeRunsItsClassAndAClassTheHostCannotRunRegistersNothing() throws Exception {
    get(client.createGroup("daq1/reg"));
    String registered = get(client.registerNodeType("daq1/reg", "MySine", "io.shepherd.host.nodes.SineNode"));
    assertTrue(registered.contains("registered node type MySine"), registered);
    get(client.createNode("daq1/reg/s", NodeSpec.of("MySine", Map.of("frequency", "3")), NodeState.RUNNING));
    poll("the node of the registered type running", () -> get(client.nodeStatus("daq1/reg/s")).state() == NodeState.RUNNING);
    assertEquals("io.shepherd.host.nodes.SineNode", get(client.nodeStatus("daq1/reg/s")).agentClass());
    assertTrue(get(client.registerNodeType("daq1/reg", "MySine", "io.shepherd.host.nodes.SineNode")).contains("MySine"),
        "registering the same again is no error");

    assertTrue(failure(ShepherdException.UnknownType.class, client.registerNodeType("daq1/reg", "Ghost",
        "io.shepherd.host.nodes.NoSuchNode")).getMessage().contains("cannot be loaded"));
    assertTrue(failure(ShepherdException.NotAllowed.class, client.registerNodeType("daq1/reg", "List", "java.util.ArrayList"))
        .getMessage().contains("allowed-packages"));
    assertTrue(failure(ShepherdException.InvalidArgument.class, client.registerNodeType("daq1/reg", "Plain",
        NotANodeName.NAME)).getMessage().contains("Node"));
    failure(ShepherdException.DuplicateName.class, client.registerNodeType("daq1/reg", "MySine", "io.shepherd.host.nodes.NoopNode"));
    failure(ShepherdException.InvalidArgument.class, client.registerNodeType("daq1/reg", "my.sine", "io.shepherd.host.nodes.SineNode"));
    failure(ShepherdException.NoSuchGroup.class, client.registerNodeType("daq1/nowhere", "X", "io.shepherd.host.nodes.SineNode"));
    assertEquals(Map.of("MySine", "io.shepherd.host.nodes.SineNode"), get(client.status()).groups().stream()
        .filter(g -> g.path().toString().equals("daq1/reg")).findFirst().orElseThrow().types(), "the refused ones registered nothing");
    failure(ShepherdException.UnknownType.class, client.createNode("daq1/reg/g", NodeSpec.of("Ghost", Map.of()), NodeState.RUNNING));
    get(client.removeGroup("daq1/reg"));
  }

  /** A class in an allowed package that is not a Node. */
  static final class NotANodeName {
    static final String NAME = "io.shepherd.host.nodes.NotANode";
  }

  @Test
  void aNodeManagerRefusesPathsItDoesNotManage() {
    assertThrows(ShepherdException.InvalidArgument.class, () -> client.nodeManager());
    assertThrows(ShepherdException.InvalidArgument.class, () -> client.nodeManager("bad path"));
    try (NodeManager nodes = client.nodeManager("daq1/x/y")) {
      failure(ShepherdException.InvalidArgument.class, nodes.revive("daq1/x/z"));
      failure(ShepherdException.InvalidArgument.class, nodes.request("daq1/x/z", NodeState.RUNNING));
      failure(ShepherdException.NoSuchNode.class, nodes.setManaged());
    }
  }

  @Test
  void groupsOfAClosedClientAreRemovedUnlessPersistent() throws Exception {
    ShepherdClient other = ShepherdClient.connect(member.settings());
    get(other.createGroup("daq1/temp"));
    get(other.createNode("daq1/temp/n", NodeSpec.of("noop", Map.of()), NodeState.RUNNING));
    get(other.createGroup("daq1/kept", true));
    other.close();
    List<String> groups = get(client.status()).groups().stream().map(g -> g.path().toString()).toList();
    assertFalse(groups.contains("daq1/temp"), groups.toString());
    assertTrue(groups.contains("daq1/kept"), groups.toString());
  }
}
