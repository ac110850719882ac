package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.member.MemberCli;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, {@code shepherd demo}, run as a user runs it: it brings up three
 * member JVMs with demo nodes, stops after its duration with no JVM left, and removes its folder.
 */
class DemoIT {

  @Test
  void theDemoRunsStopsAndLeavesNothingBehind() throws Exception {
    Path out = Files.createTempFile("shepherd-demo-it-", ".log");
    Process demo = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), MemberCli.class.getName(), "demo", "--duration", "20")
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
    try {
      assertTrue(demo.waitFor(TestCluster.PATIENCE.toSeconds() + 60, TimeUnit.SECONDS), "the demo ended by itself");
      String printed = Files.readString(out, StandardCharsets.UTF_8);
      List<Long> members = pids(printed);
      assertEquals(0, demo.exitValue(), printed);
      assertEquals(3, members.size(), printed);
      assertTrue(printed.contains("demo: 3 hosts are up"), printed);
      Matcher folder = Pattern.compile("their logs are in (\\S+)").matcher(printed);
      assertTrue(folder.find(), printed);
      assertTrue(printed.contains("demo: all member JVMs stopped."), printed);
      assertTrue(printed.contains("demo: removed " + folder.group(1)), printed);
      assertFalse(Files.exists(Path.of(folder.group(1))), "the demo's folder is gone");
      assertTrue(members.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)),
          "no member JVM of the demo outlived it: " + members);
    } finally {
      demo.destroyForcibly();
      // Its members end with it (they watch its pid); those it printed are killed in any case.
      pids(Files.readString(out, StandardCharsets.UTF_8)).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      Files.deleteIfExists(out);
    }
  }

  /** The member JVMs the demo says it started ({@code host-a on port N (pid P)}). */
  static List<Long> pids(String printed) {
    return Pattern.compile("\\(pid (\\d+)\\)").matcher(printed).results().map(m -> Long.parseLong(m.group(1))).toList();
  }
}
