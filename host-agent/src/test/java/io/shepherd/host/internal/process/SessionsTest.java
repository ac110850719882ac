package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whether a process has a child yet, read from /proc: what lets a contained stop skip the scan for its session. */
class SessionsTest {

  final List<Process> started = new ArrayList<>();

  @AfterEach
  void reap() {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  Process start(String... command) throws Exception {
    Process p = new ProcessBuilder(command).start();
    started.add(p);
    return p;
  }

  @Test
  void aProcessWithoutChildrenIsChildlessAndOneThatForkedIsNot() throws Exception {
    Process alone = start("/usr/bin/sleep", "100");
    assertTrue(Sessions.childless(alone.pid()));
    Process parent = start("/bin/bash", "-c", "/usr/bin/sleep 100 & wait");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (parent.children().findAny().isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "bash did not start its child");
      Thread.sleep(10);
    }
    assertFalse(Sessions.childless(parent.pid()));
    assertFalse(Sessions.childless(Long.MAX_VALUE / 2), "no such process: not known to be childless");
  }
}
