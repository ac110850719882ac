package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Readiness and liveness checks in a node spec: every bad combination refused with a reason. */
class ProbeTest {

  static final NodeSpec PROCESS = NodeSpec.process(ProcessSpec.of("/usr/bin/daq"));
  static final NodeSpec JAVA = NodeSpec.of("io.lab.Sine", Map.of());

  static String refused(Runnable making) {
    return assertThrows(IllegalArgumentException.class, making::run).getMessage();
  }

  @Test
  void defaultsAreNoChecksAndAThirtySecondStartTimeout() {
    assertEquals(Probe.NONE, PROCESS.readiness());
    assertEquals(Probe.NONE, PROCESS.liveness());
    assertEquals(Duration.ofSeconds(30), PROCESS.startTimeout());
    Probe tcp = Probe.tcp("${port:data}");
    assertEquals(Duration.ofSeconds(1), tcp.periodOrDefault());
    assertEquals(Duration.ofSeconds(1), tcp.timeoutOrDefault());
    assertEquals(3, tcp.failuresOrDefault());
    assertEquals(Duration.ofSeconds(10), Probe.of(Probe.Type.NOTIFY).timeoutOrDefault(), "the watchdog's default");
  }

  @Test
  void eachKindNeedsItsOwnFieldAndNoOther() {
    assertTrue(refused(() -> new Probe(Probe.Type.TCP, null, null, null, null, null, null)).contains("needs a port"));
    assertTrue(refused(() -> new Probe(Probe.Type.HTTP, null, null, null, null, null, null)).contains("needs a url"));
    assertTrue(refused(() -> new Probe(Probe.Type.COMMAND, null, null, null, null, null, null)).contains("needs a command"));
    assertTrue(refused(() -> new Probe(Probe.Type.NOTIFY, "80", null, null, null, null, null)).contains("port belongs to tcp"));
    assertTrue(refused(() -> Probe.of(Probe.Type.NOTIFY).withPeriod(Duration.ofSeconds(1))).contains("period belongs to"));
    assertTrue(refused(() -> Probe.of(Probe.Type.EXPLICIT).withTimeout(Duration.ofSeconds(1))).contains("timeout belongs to"));
    assertTrue(refused(() -> Probe.of(Probe.Type.NOTIFY).withFailures(2)).contains("failures belongs to"));
  }

  @Test
  void badValuesAreRefused() {
    assertTrue(refused(() -> Probe.tcp("0")).contains("1 to 65535"));
    assertTrue(refused(() -> Probe.tcp("http")).contains("1 to 65535"));
    assertTrue(refused(() -> Probe.tcp("${port:bad name}")).contains("not valid"));
    assertTrue(refused(() -> Probe.http("https://lab/health")).contains("http:// URL"));
    assertTrue(refused(() -> Probe.tcp("80").withPeriod(Duration.ZERO)).contains("above 0"));
    assertTrue(refused(() -> Probe.tcp("80").withTimeout(Duration.ofDays(2))).contains("at most 24 h"));
    assertTrue(refused(() -> Probe.tcp("80").withFailures(0)).contains("between 1 and 1000"));
    assertTrue(refused(() -> Probe.Type.of("ping")).contains("none, notify, tcp, http, command or explicit"));
    assertEquals(Probe.Type.NOTIFY, Probe.Type.of(" Notify "));
    assertTrue(refused(() -> PROCESS.withStartTimeout(Duration.ZERO)).contains("start timeout"));
  }

  @Test
  void processNodesTakeProbesAndJavaNodesExplicitReadinessOnly() {
    assertTrue(refused(() -> PROCESS.withReadiness(Probe.of(Probe.Type.EXPLICIT))).contains("explicit is for Java nodes"));
    assertTrue(refused(() -> JAVA.withReadiness(Probe.of(Probe.Type.NOTIFY))).contains("is for process nodes"));
    assertTrue(refused(() -> JAVA.withLiveness(Probe.tcp("80"))).contains("keepalive deadline"));
    assertTrue(refused(() -> PROCESS.withLiveness(Probe.of(Probe.Type.EXPLICIT))).contains("not explicit"));
    assertEquals(Probe.Type.EXPLICIT, JAVA.withReadiness(Probe.of(Probe.Type.EXPLICIT)).readiness().type());
    NodeSpec checked = PROCESS.withReadiness(Probe.command("/usr/bin/test", "-f", "/run/ready"))
        .withLiveness(Probe.http("http://127.0.0.1:${port:web}/"));
    assertEquals(List.of("/usr/bin/test", "-f", "/run/ready"), checked.readiness().command());
    assertEquals("http http://127.0.0.1:${port:web}/", checked.liveness().describe());
    assertEquals(checked, checked.withMode(Mode.MANAGED).withMode(Mode.AUTO), "with* keeps the checks");
  }
}
