package io.shepherd.client;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.protocol.RestartPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every call of the client API, given malformed or unknown input, answers with an error that says
 * what was wrong, and changes nothing: the whole cluster status (every field that does not move by
 * itself with time) and the host's environment are the same before and after. Arguments the API's
 * own types refuse before any call are checked apart. Calls and constructor checks are counted by
 * kind, apart, and the counts printed.
 */
class BadInputTest {

  static OneMember member;
  static ShepherdClient client;
  static final Map<String, Integer> calls = new TreeMap<>();
  static final Map<String, Integer> constructions = new TreeMap<>();

  @TempDir
  static Path dir;

  @BeforeAll
  static void startMember() throws Exception {
    member = new OneMember("""
        shepherd.host.allowed-packages = ["io.shepherd.host.nodes"]
        shepherd.host.process.allowed = ["/usr/bin/sleep"]
        shepherd.host.work-root = "target/shepherd-work-bad-input"
        """);
    client = member.client();
    // Something to refuse calls on: a group, a running Java node, a created one, a closed one, a running process.
    get(client.createGroup("daq1/acq", true));
    get(client.createNode("daq1/acq/sine", NodeSpec.of("sine", Map.of("frequency", "3")), NodeState.RUNNING));
    get(client.createNode("daq1/acq/fresh", NodeSpec.of("noop", Map.of()), NodeState.CREATED));
    get(client.createNode("daq1/acq/done", NodeSpec.of("noop", Map.of()), NodeState.CLOSED));
    get(client.createProcess("daq1/acq/proc", ProcessSpec.of("sleep", "1000"), NodeState.RUNNING));
    get(client.requestAndAwait("daq1/acq/sine", NodeState.RUNNING));
    get(client.requestAndAwait("daq1/acq/done", NodeState.CLOSED));
    get(client.requestAndAwait("daq1/acq/proc", NodeState.RUNNING));
    get(client.host("daq1").bindTcp(2));
    get(client.host("daq1").bindUdp(1));
    get(client.host("daq1").setEnv("SHEPHERD_BAD_INPUT", "kept"));
  }

  @Test
  void theViewSeesEveryChangeACallCanMake() {
    View before = snapshot();
    List<Integer> tcp = get(client.host("daq1").bindTcp(1));
    assertNotEquals(before.tcpPorts(), snapshot().tcpPorts(), "a reserved TCP port");
    get(client.host("daq1").release(false, tcp));
    List<Integer> udp = get(client.host("daq1").bindUdp(1));
    assertNotEquals(before.udpPorts(), snapshot().udpPorts(), "a reserved UDP port");
    get(client.host("daq1").release(true, udp));
    get(client.host("daq1").setEnv("SHEPHERD_BAD_INPUT", "changed"));
    assertNotEquals(before.environment(), snapshot().environment(), "an environment variable");
    get(client.host("daq1").setEnv("SHEPHERD_BAD_INPUT", "kept"));
    get(client.requestAndAwait("daq1/acq/sine", NodeState.RUNNING));
    assertNotEquals(before.desired(), snapshot().desired(), "a request is numbered in the desired state");
    assertEquals(before.status().nodes().size(), snapshot().status().nodes().size());
    View after = snapshot();
    assertEquals(before.tcpPorts(), after.tcpPorts());
    assertEquals(before.udpPorts(), after.udpPorts());
    assertEquals(before.environment(), after.environment());
  }

  @AfterAll
  static void stopMember() throws Exception {
    System.out.println("refused calls, by kind: " + calls + ", " + calls.values().stream().mapToInt(Integer::intValue).sum() + " in all");
    System.out.println("arguments refused by the API's types before any call, by kind: " + constructions + ", "
        + constructions.values().stream().mapToInt(Integer::intValue).sum() + " in all");
    if (client != null) {
      client.close();
    }
    member.close();
  }

  static <T> T get(CompletionStage<T> stage) {
    return stage.toCompletableFuture().join();
  }

  /** What a refused call must not change. */
  record View(ClusterStatus status, Map<String, String> environment, List<Integer> tcpPorts, List<Integer> udpPorts,
              Map<String, Map<String, Object>> desired) {}

  /**
   * The whole status but what moves by itself with time (the log server's counters, convergence, a
   * node's stability); the host's environment and reserved ports; and the replicated desired state,
   * where every node's params are (checkpoints left out: running nodes write them by themselves).
   */
  static View snapshot() {
    ClusterStatus s = get(client.status());
    List<NodeStatus> nodes = s.nodes().stream().map(n -> new NodeStatus(n.path(), n.host(), n.type(), n.state(), n.requested(),
        n.mode(), n.stalled(), n.restarts(), n.lastFailure(), n.lastFailureAt(), 0, n.managedBy(), n.pid(), n.exit(), n.since(),
        n.seq(), n.incarnation(), n.nextAction())).toList();
    return new View(new ClusterStatus(s.manager(), s.members(), s.hosts(), s.groups(), nodes, true, null),
        get(client.host("daq1").environment()), get(client.host("daq1").reservedPorts(false)),
        get(client.host("daq1").reservedPorts(true)),
        DesiredReplica.read(member.system));
  }

  /** A call that must fail with {@code type}, its message containing {@code says}, and change nothing. */
  static void refused(String kind, Class<? extends ShepherdException> type, String says, Supplier<CompletionStage<?>> call) {
    assertFalse(says.isBlank(), kind + ": every refusal is checked for what it says");
    calls.merge(kind, 1, Integer::sum);
    View before = snapshot();
    ShepherdException error;
    try {
      CompletionStage<?> stage = call.get();
      CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join(),
          () -> kind + ": the call succeeded; expected " + type.getSimpleName() + " saying " + says);
      assertInstanceOf(ShepherdException.class, e.getCause(), () -> kind + ": " + e.getCause());
      error = (ShepherdException) e.getCause();
    } catch (ShepherdException thrown) {
      error = thrown;
    }
    ShepherdException found = error;
    assertInstanceOf(type, found, () -> kind + ": expected " + type.getSimpleName() + ", got " + found);
    assertTrue(found.getMessage().contains(says), () -> kind + ": expected '" + says + "' in: " + found.getMessage());
    assertEquals(before, snapshot(), () -> kind + ": a refused call changed the cluster (" + found.getMessage() + ")");
  }

  /** An argument the API's own types refuse before any call is made. */
  static void rejected(String kind, String says, Runnable construction) {
    constructions.merge(kind, 1, Integer::sum);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction::run, kind);
    assertTrue(e.getMessage().contains(says), () -> kind + ": expected '" + says + "' in: " + e.getMessage());
  }

  static final Class<ShepherdException.InvalidArgument> INVALID = ShepherdException.InvalidArgument.class;

  @Test
  void badPathsAndNames() {
    Map<String, String> nodePaths = new LinkedHashMap<>();
    for (String path : new String[] {"", "daq1", "daq1/acq", "daq1/acq/sine/extra", "daq1/acq/../sine"}) {
      nodePaths.put(path, "invalid node path '" + path + "': expected HOST/GROUP/NODE");
    }
    nodePaths.put("daq1//sine", "group name is empty");
    nodePaths.put("/acq/sine", "host id is empty");
    nodePaths.put("daq 1/acq/sine", "host id 'daq 1' is not valid");
    nodePaths.put("daq1/acq/" + "n".repeat(65), "is 65 characters long");
    nodePaths.put("all/acq/sine", "host id 'all' is reserved");
    nodePaths.put("daq1/acq/sin\u00e9", "node name 'sin\u00e9' is not valid");
    nodePaths.put("daq1/acq/-lead", "node name '-lead' is not valid");
    nodePaths.forEach((path, says) -> {
      refused("malformed node path", INVALID, says, () -> client.start(path));
      refused("malformed node path", INVALID, says, () -> client.removeNode(path));
    });
    refused("malformed node path", INVALID, "node path is missing", () -> client.configure(null));
    Map<String, String> groupPaths = new LinkedHashMap<>();
    for (String path : new String[] {"", "daq1", "daq1/acq/sine"}) {
      groupPaths.put(path, "invalid group path '" + path + "': expected HOST/GROUP");
    }
    groupPaths.put("any/", "group name is empty");
    groupPaths.put("daq1/" + "g".repeat(65), "is 65 characters long");
    groupPaths.put("all/g", "host id 'all' is reserved");
    groupPaths.forEach((path, says) -> {
      refused("malformed group path", INVALID, says, () -> client.createGroup(path));
      refused("malformed group path", INVALID, says, () -> client.removeGroup(path));
    });
    refused("malformed host id", INVALID, "host id", () -> client.host("bad host").bindTcp(1));
    refused("malformed host id", INVALID, "reserved", () -> client.host("any").setEnv("X", "1"));
    constructions.merge("malformed node path", 2, Integer::sum);
    assertTrue(assertThrows(INVALID, () -> client.nodeManager()).getMessage().contains("needs at least one node path"));
    assertTrue(assertThrows(INVALID, () -> client.nodeManager("daq1/acq")).getMessage().contains("invalid node path 'daq1/acq'"));
  }

  @Test
  void unknownHostsGroupsNodesTypesAndClasses() {
    refused("unknown host", ShepherdException.UnknownHost.class, "no host nohost is registered", () -> client.createGroup("nohost/acq"));
    refused("unknown host", ShepherdException.UnknownHost.class, "no host nohost", () -> client.host("nohost").bindTcp(1));
    refused("unknown host", ShepherdException.UnknownHost.class, "no host nohost", () -> client.host("nohost").getEnv("PATH"));
    refused("unknown group", ShepherdException.NoSuchGroup.class, "create the group first",
        () -> client.createNode("daq1/nogroup/n", "sine", Map.of()));
    refused("unknown group", ShepherdException.NoSuchGroup.class, "no group daq1/nogroup", () -> client.removeGroup("daq1/nogroup"));
    for (Supplier<CompletionStage<?>> call : List.<Supplier<CompletionStage<?>>>of(
        () -> client.start("daq1/acq/none"), () -> client.removeNode("daq1/acq/none"), () -> client.kill("daq1/acq/none"),
        () -> client.purge("daq1/acq/none"), () -> client.sendInput("daq1/acq/none", "x"),
        () -> client.requestAndAwait("daq1/acq/none", NodeState.RUNNING), () -> client.nodeStatus("daq1/acq/none"))) {
      refused("unknown node", ShepherdException.NoSuchNode.class, "no node daq1/acq/none", call);
    }
    refused("unknown node type", ShepherdException.UnknownType.class, "unknown node type 'sinus'",
        () -> client.createNode("daq1/acq/x", "sinus", Map.of()));
    refused("class outside the allow-list", ShepherdException.NotAllowed.class, "not allowed",
        () -> client.createNode("daq1/acq/x", "java.lang.Runtime", Map.of()));
    refused("class outside the allow-list", ShepherdException.NotAllowed.class, "not allowed",
        () -> client.createNode("daq1/acq/x", "io.shepherd.host.agent.HostAgent", Map.of()));
    refused("class outside the allow-list", ShepherdException.UnknownType.class, "cannot be loaded",
        () -> client.createNode("daq1/acq/x", "io.shepherd.host.nodes.Missing", Map.of()));
    refused("executable outside the allow-list", ShepherdException.NotAllowed.class, "not allowed",
        () -> client.createProcess("daq1/acq/x", ProcessSpec.of("/usr/bin/bash", "-c", "id"), NodeState.RUNNING));
    refused("executable outside the allow-list", ShepherdException.NotAllowed.class, "not allowed",
        () -> client.createProcess("daq1/acq/x", ProcessSpec.of("bash"), NodeState.INITIALIZED));
    refused("executable outside the allow-list", INVALID, "relative path",
        () -> client.createProcess("daq1/acq/x", ProcessSpec.of("../../usr/bin/sleep", "1"), NodeState.RUNNING));
    refused("unknown target", INVALID, "no node daq1/acq/none", () -> client.down("daq1/acq/sine", "daq1/acq/none"));
    refused("unknown target", INVALID, "no host nohost", () -> client.up("nohost"));
    refused("unknown target", INVALID, "no group daq1/none", () -> client.up("daq1/none"));
  }

  @Test
  void badStatesNumbersAndStrings() {
    for (NodeState state : new NodeState[] {NodeState.FAILED, NodeState.LOST, NodeState.CREATED}) {
      refused("unrequestable state", ShepherdException.InvalidTransition.class, "cannot be requested",
          () -> client.requestAndAwait("daq1/acq/sine", state));
    }
    refused("missing argument", INVALID, "state is required", () -> client.requestAndAwait("daq1/acq/sine", null));
    refused("missing argument", INVALID, "action is required", () -> client.perform("daq1/acq/sine", null));
    refused("missing argument", INVALID, "spec and requested state are required", () -> client.createNode("daq1/acq/x", null, NodeState.RUNNING));
    refused("missing argument", INVALID, "a process spec is required", () -> client.createProcess("daq1/acq/x", null, NodeState.RUNNING));
    refused("missing argument", INVALID, "no targets given", () -> client.update(List.of()));
    refused("missing argument", INVALID, "a site file is required", () -> client.apply((Path) null));
    rejected("unknown state", "unknown state 'sideways'", () -> NodeState.parse("sideways"));
    rejected("unknown state", "state is missing", () -> NodeState.parse(""));
    rejected("unknown level", "unknown log level", () -> LogLevel.parse("LOUD"));
    for (int count : new int[] {0, -1, 101, Integer.MAX_VALUE, Integer.MIN_VALUE}) {
      refused("number out of range", INVALID, "between 1 and 100", () -> client.host("daq1").bindTcp(count));
      refused("number out of range", INVALID, "between 1 and 100", () -> client.host("daq1").bindUdp(count));
    }
    for (int port : new int[] {0, -1, 65536}) {
      refused("number out of range", INVALID, "not between 1 and 65535", () -> client.host("daq1").release(false, List.of(port)));
    }
    refused("number out of range", INVALID, "give 1 to 100 ports", () -> client.host("daq1").release(false, List.of()));
    for (int limit : new int[] {0, -5, 10_001}) {
      refused("number out of range", INVALID, "a tail has 1 to 10000", () -> client.logs().tail(LogFilter.all(), limit));
    }
    rejected("number out of range", "maxRestarts must be between", () -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, -1, Duration.ZERO));
    rejected("number out of range", "jitter must be between", () -> new RestartPolicy(Duration.ZERO, Duration.ZERO, 2, Duration.ZERO, 1, Duration.ZERO));
    rejected("number out of range", "below minBackoff", () -> new RestartPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 0, Duration.ZERO, 1, Duration.ZERO));
    rejected("number out of range", "duration of zero or more", () -> new RestartPolicy(Duration.ofSeconds(-1), Duration.ZERO, 0, Duration.ZERO, 1, Duration.ZERO));
    rejected("number out of range", "stop grace must be between", () -> ProcessSpec.of("sleep").withStopGrace(Duration.ofHours(1)));
    rejected("number out of range", "stop grace must be between", () -> ProcessSpec.of("sleep").withStopGrace(Duration.ofSeconds(-1)));

    rejected("empty string", "node type is empty", () -> NodeSpec.of("", Map.of()));
    rejected("empty string", "needs a command", () -> new ProcessSpec(List.of(), Map.of(), null, false, null));
    rejected("empty string", "executable (the first element of the command) is empty", () -> ProcessSpec.of(" "));
    rejected("empty string", "a target is empty", () -> new ManagerProtocol.TargetState("", NodeState.RUNNING));
    rejected("empty string", "param name must be 1 to", () -> NodeSpec.of("sine", Map.of("", "1")));
    rejected("oversized string", "longer than 256 characters", () -> NodeSpec.of("x".repeat(300), Map.of()));
    rejected("oversized string", "longer than 8192 characters", () -> NodeSpec.of("sine", Map.of("k", "v".repeat(9000))));
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      many.put("p" + i, "v");
    }
    rejected("oversized string", "at most 256 are allowed", () -> NodeSpec.of("sine", many));
    rejected("oversized string", "input line must be at most", () -> new ManagerProtocol.SendInput(NodePath.parse("daq1/acq/proc"), "x".repeat(70_000), null));
    refused("oversized string", INVALID, "input line must be at most", () -> client.sendInput("daq1/acq/proc", "x".repeat(70_000)));
    Map<String, String> big = new HashMap<>();
    Random random = new Random(7);
    for (int i = 0; i < 200; i++) {
      byte[] noise = new byte[6000]; // random: compression cannot shrink it below the frame size
      random.nextBytes(noise);
      big.put("p" + i, Base64.getEncoder().encodeToString(noise));
    }
    refused("oversized message", INVALID, "larger than the largest message", () -> client.createNode("daq1/acq/big", NodeSpec.of("sine", big), NodeState.RUNNING));
    rejected("bad environment", "LD_PRELOAD may not be set", () -> ProcessSpec.of("sleep").withEnv(Map.of("LD_PRELOAD", "/tmp/evil.so")));
    rejected("bad environment", "is not valid", () -> ProcessSpec.of("sleep").withEnv(Map.of("1BAD", "x")));
    refused("bad environment", INVALID, "may not be set", () -> client.host("daq1").setEnv("LD_PRELOAD", "/tmp/evil.so"));
    refused("bad environment", INVALID, "is not valid", () -> client.host("daq1").setEnv("A=B", "1"));
    refused("bad environment", INVALID, "a variable name is required", () -> client.host("daq1").getEnv(null));
    rejected("bad port name", "${port:bad name} is not valid", () -> ProcessSpec.of("sleep", "${port:bad name}"));
    rejected("bad working directory", "must be an absolute path", () -> ProcessSpec.of("sleep").withWorkingDir("relative/dir"));
    rejected("bad node glob", "node glob", () -> new LogFilter("daq1 acq", null, null));
    rejected("bad node glob", "node glob", () -> new LogFilter("", null, null));
  }

  @Test
  void duplicatesAndCallsOutOfLifecycleOrder() {
    refused("duplicate name", ShepherdException.DuplicateName.class, "group daq1/acq already exists", () -> client.createGroup("daq1/acq"));
    refused("duplicate name", ShepherdException.DuplicateName.class, "node daq1/acq/sine already exists",
        () -> client.createNode("daq1/acq/sine", "noop", Map.of()));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "from CREATED only configure, close",
        () -> client.start("daq1/acq/fresh"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "from CREATED only",
        () -> client.initialize("daq1/acq/fresh"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "from RUNNING only stop",
        () -> client.configure("daq1/acq/sine"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "from RUNNING only stop",
        () -> client.perform("daq1/acq/sine", LifecycleAction.CLOSE));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "from CLOSED no call is allowed",
        () -> client.start("daq1/acq/done"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "cannot be reached",
        () -> client.requestAndAwait("daq1/acq/done", NodeState.RUNNING));
    refused("call out of lifecycle order", INVALID, "kill applies to process nodes", () -> client.kill("daq1/acq/sine"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "stop or kill it first", () -> client.purge("daq1/acq/sine"));
    refused("call out of lifecycle order", ShepherdException.InvalidTransition.class, "stop or kill it first", () -> client.purge("daq1/acq/proc"));
    refused("call out of lifecycle order", INVALID, "only process nodes take input", () -> client.sendInput("daq1/acq/sine", "x"));
    refused("call out of lifecycle order", INVALID, "stdin of node daq1/acq/proc is closed", () -> client.sendInput("daq1/acq/proc", "x"));
    refused("call out of lifecycle order", INVALID, "cannot go up: it is CLOSED", () -> client.up("daq1/acq/done"));
  }

  @Test
  void malformedAndRefusedSiteFiles() throws Exception {
    record Bad(String text, String says) {}
    Map<String, Bad> files = new LinkedHashMap<>();
    files.put("syntax.conf", new Bad("hosts { daq1 {\n", "syntax.conf"));
    files.put("unknown-key.conf", new Bad("hosts.daq1.groups.g.nodes.n { typo = sine }\n", "unknown key 'typo'"));
    files.put("unknown-host.conf", new Bad("hosts.nohost.groups.g.nodes.n { type = sine }\n", "no host nohost is registered"));
    files.put("unknown-type.conf", new Bad("hosts.daq1.groups.g.nodes.n { type = sinus }\n", "has no node type sinus"));
    files.put("class-bypass.conf", new Bad("hosts.daq1.groups.g.nodes.n { type = java.lang.Runtime }\n", "java.lang.Runtime"));
    files.put("executable-bypass.conf", new Bad("hosts.daq1.groups.g.nodes.n { command = [\"/usr/bin/bash\", \"-c\", \"id\"] }\n",
        "/usr/bin/bash"));
    files.put("duplicate.conf", new Bad("hosts.daq1.groups.g.nodes { n { type = sine }\n n { type = noop } }\n", "is declared again"));
    files.put("client-group.conf", new Bad("hosts.daq1.groups.acq.nodes.n { type = sine }\n", "created by a client"));
    files.put("bad-state.conf", new Bad("hosts.daq1.groups.g.nodes.n { type = sine, target = sideways }\n", "sideways"));
    files.put("reserved.conf", new Bad("hosts.all.groups.g.nodes.n { type = sine }\n", "host id 'all' is reserved"));
    files.put("empty.conf", new Bad("# nothing\n", "declares no hosts"));
    for (Map.Entry<String, Bad> file : files.entrySet()) {
      Path path = dir.resolve(file.getKey());
      Files.writeString(path, file.getValue().text());
      refused("bad site file", INVALID, file.getValue().says(), () -> client.apply(path));
    }
    refused("bad site file", INVALID, "no such file", () -> client.apply(dir.resolve("missing.conf")));
    refused("bad site file", INVALID, "is a directory", () -> client.apply(dir));
    Path binary = dir.resolve("binary.conf");
    Files.write(binary, new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe, '{', '{'});
    refused("bad site file", INVALID, "not a UTF-8 text file", () -> client.apply(binary));
  }

  @Test
  void managedModeCallsOnUnknownNodesChangeNothing() {
    NodeManager nodes = client.nodeManager("daq1/acq/sine", "daq1/acq/none");
    refused("unknown node", ShepherdException.NoSuchNode.class, "no node daq1/acq/none", () -> nodes.setManaged());
    nodes.close();
    assertEquals(Mode.AUTO, get(client.nodeStatus("daq1/acq/sine")).mode(), "all or nothing: sine stays AUTO");
  }
}
