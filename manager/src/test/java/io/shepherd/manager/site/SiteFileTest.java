package io.shepherd.manager.site;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import io.shepherd.ShepherdConfig;
import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.Site;
import io.shepherd.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SiteFileTest {

  @TempDir
  Path dir;

  Path write(String text) throws Exception {
    Path file = dir.resolve("site.conf");
    Files.writeString(file, text);
    return file;
  }

  static final Config DEFAULTS = ShepherdConfig.load(TestConfig.plain());

  @Test
  void aRealisticSiteParsesIntoGroupsAndNodes() throws Exception {
    Site site = SiteFile.read(write("""
        # Two hosts and a floating analysis group.
        hosts {
          daq1.groups.acq.nodes {
            sine { type = sine, params { frequency = 5, amplitude = 2.5 } }
            recorder {
              command = ["/usr/bin/python3", "-u", "recorder.py", "--port", "${port:data}"]
              env { OUT_DIR = /data, PORT = "${port:data}" }
              working-dir = /opt/daq
              stdin = on
              stop-grace = 3s
              target = down
              mode = managed
              restart { max-restarts = 5 }
              autorestart = on-failure
            }
          }
          any {
            groups {
              analysis { nodes { counter { type = counter, target = INITIALIZED } } }
            }
          }
        }
        """), DEFAULTS);
    assertEquals("site.conf", site.source());
    assertEquals(List.of("any/analysis", "daq1/acq"), site.groups().stream().map(g -> g.path().toString()).toList());
    Site.Node recorder = site.nodes().stream().filter(n -> n.path().toString().equals("daq1/acq/recorder")).findFirst().orElseThrow();
    assertEquals(NodeSpec.PROCESS, recorder.spec().type());
    assertEquals(List.of("/usr/bin/python3", "-u", "recorder.py", "--port", "${port:data}"), recorder.spec().process().command());
    assertEquals(Map.of("OUT_DIR", "/data", "PORT", "${port:data}"), recorder.spec().process().env());
    assertEquals("/opt/daq", recorder.spec().process().workingDir());
    assertTrue(recorder.spec().process().stdin());
    assertEquals(Duration.ofSeconds(3), recorder.spec().process().stopGrace());
    assertEquals(NodeState.STOPPED, recorder.target());
    assertEquals(NodeState.INITIALIZED, recorder.initialRequest(), "a new node declared down is never started");
    assertEquals(Mode.MANAGED, recorder.spec().mode());
    assertEquals(5, recorder.spec().restart().maxRestarts());
    assertEquals(Duration.ofMillis(100), recorder.spec().restart().minBackoff(), "the rest of the policy from shepherd.host.restart");
    assertEquals(Autorestart.ON_FAILURE, recorder.spec().autorestart());
    Site.Node sine = site.nodes().stream().filter(n -> n.path().toString().equals("daq1/acq/sine")).findFirst().orElseThrow();
    assertEquals(Map.of("frequency", "5", "amplitude", "2.5"), sine.spec().params());
    assertEquals(NodeState.RUNNING, sine.target(), "up by default");
    assertNull(sine.spec().process());
    assertEquals(Autorestart.ALWAYS, sine.spec().autorestart(), "restarted after every end by default");
  }

  @Test
  void everyErrorIsListedWithItsLine() throws Exception {
    SiteFile.Invalid invalid = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("""
        hosts {
          daq1.groups.acq.nodes {
            a { type = sine, target = sideways }
            b { comand = ["/bin/true"] }
            c { type = sine, stdin = on }
            d { command = [] }
            e { command = ["/bin/sleep", "1"], env { LD_PRELOAD = "/tmp/x.so" } }
            "bad name" { type = sine }
            f { type = sine, mode = sometimes }
            g { type = sine, restart { max-restarts = -1 } }
            h { command = ["/bin/true"], autorestart = sometimes }
          }
          all.groups.x.nodes { y { type = sine } }
        }
        extra = 1
        """), DEFAULTS));
    String message = invalid.getMessage();
    List<String> errors = invalid.errors();
    assertTrue(errors.size() >= 10, message);
    assertTrue(message.contains("site.conf:3:") && message.contains("sideways"), message);
    assertTrue(message.contains("site.conf:4:") && message.contains("unknown key 'comand'"), message);
    assertTrue(message.contains("site.conf:5:") && message.contains("stdin belongs to process nodes"), message);
    assertTrue(message.contains("needs a command"), message);
    assertTrue(message.contains("LD_PRELOAD"), message);
    assertTrue(message.contains("'bad name' is not valid"), message);
    assertTrue(message.contains("mode must be auto or managed"), message);
    assertTrue(message.contains("maxRestarts"), message);
    assertTrue(message.contains("autorestart must be always, on-failure or never, not 'sometimes'"), message);
    assertTrue(message.contains("host id 'all' is reserved"), message);
    assertTrue(message.contains("unknown key 'extra'"), message);
    assertTrue(message.contains("nothing was applied"), message);
  }

  @Test
  void readinessLivenessAndStartTimeoutAreReadAndEveryBadCheckIsListedWithItsLine() throws Exception {
    Site site = SiteFile.read(write("""
        hosts.daq1.groups.acq.nodes {
          daq { command = ["/opt/daq/run"], readiness = notify, start-timeout = 45s, liveness { type = notify, timeout = 5s } }
          web {
            command = ["/opt/daq/web", "${port:web}"]
            readiness { type = http, url = "http://127.0.0.1:${port:web}/ready", period = 250ms }
            liveness { type = tcp, port = "${port:web}", period = 2s, timeout = 500ms, failures = 5 }
          }
          calib { command = ["/opt/daq/calib"], readiness { type = command, command = ["/usr/bin/test", "-f", "/run/calib"] } }
          sine { type = sine, readiness = explicit }
          plain { command = ["/bin/true"] }
        }
        """), DEFAULTS);
    Map<String, NodeSpec> specs = new TreeMap<>();
    site.nodes().forEach(n -> specs.put(n.path().node(), n.spec()));
    assertEquals(Probe.of(Probe.Type.NOTIFY), specs.get("daq").readiness());
    assertEquals(Duration.ofSeconds(45), specs.get("daq").startTimeout());
    assertEquals(Duration.ofSeconds(5), specs.get("daq").liveness().timeoutOrDefault());
    assertEquals(Probe.http("http://127.0.0.1:${port:web}/ready").withPeriod(Duration.ofMillis(250)), specs.get("web").readiness());
    assertEquals(Probe.tcp("${port:web}").withPeriod(Duration.ofSeconds(2)).withTimeout(Duration.ofMillis(500)).withFailures(5),
        specs.get("web").liveness());
    assertEquals(List.of("/usr/bin/test", "-f", "/run/calib"), specs.get("calib").readiness().command());
    assertEquals(Probe.Type.EXPLICIT, specs.get("sine").readiness().type());
    assertEquals(Probe.NONE, specs.get("plain").readiness(), "no check by default");
    assertEquals(NodeSpec.DEFAULT_START_TIMEOUT, specs.get("plain").startTimeout());

    SiteFile.Invalid invalid = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("""
        hosts.daq1.groups.acq.nodes {
          a { command = ["/bin/true"], readiness { type = tcp } }
          b { command = ["/bin/true"], readiness { type = notify, every = 1s } }
          c { command = ["/bin/true"], liveness { port = 80 } }
          d { type = sine, readiness = notify }
          e { command = ["/bin/true"], readiness = ping }
          f { command = ["/bin/true"], start-timeout = 0s, readiness = notify }
        }
        """), DEFAULTS));
    String message = invalid.getMessage();
    assertTrue(message.contains("site.conf:2:") && message.contains("a tcp check needs a port"), message);
    assertTrue(message.contains("site.conf:3:") && message.contains("unknown key 'every' in readiness of daq1/acq/b"), message);
    assertTrue(message.contains("site.conf:4:") && message.contains("liveness of daq1/acq/c has no type"), message);
    assertTrue(message.contains("site.conf:5:") && message.contains("readiness notify is for process nodes"), message);
    assertTrue(message.contains("site.conf:6:") && message.contains("not 'ping'"), message);
    assertTrue(message.contains("site.conf:7:") && message.contains("start timeout must be above 0"), message);
  }

  @Test
  void aNodeDeclaredTwiceIsAnErrorNotASilentMerge() throws Exception {
    SiteFile.Invalid invalid = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("""
        hosts {
          daq1 {
            groups {
              acq {
                nodes {
                  sine { type = sine }
                  sine { params { frequency = 9 } }
                }
              }
            }
          }
          daq1.groups.acq.nodes.sine { target = down }
          daq1.groups.acq.nodes.other.target = down   # a dotted key adds to a node; it does not declare it again
        }
        """), DEFAULTS));
    assertEquals(2, invalid.errors().stream().filter(e -> e.contains("declared again")).count(), invalid.getMessage());
    assertTrue(invalid.getMessage().contains("site.conf:7: node daq1/acq/sine is declared again (first at line 6)"), invalid.getMessage());
  }

  @Test
  void syntaxErrorsNameTheFileAndLine() throws Exception {
    SiteFile.Invalid invalid = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("""
        hosts {
          daq1.groups.acq.nodes {
            rec { command = ["/bin/sleep", ${port:data}] }
          }
        }
        """), DEFAULTS));
    assertTrue(invalid.getMessage().contains("site.conf: 3") || invalid.getMessage().contains("site.conf:3"), invalid.getMessage());
    assertTrue(invalid.getMessage().contains("inside quotes"), invalid.getMessage());

    SiteFile.Invalid unclosed = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("hosts { daq1 {\n"), DEFAULTS));
    assertTrue(unclosed.getMessage().contains("site.conf"), unclosed.getMessage());

    SiteFile.Invalid missing = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(dir.resolve("nope.conf"), DEFAULTS));
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

    SiteFile.Invalid empty = assertThrows(SiteFile.Invalid.class, () -> SiteFile.read(write("# nothing\n"), DEFAULTS));
    assertTrue(empty.getMessage().contains("declares no hosts"), empty.getMessage());
  }
}
