package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import io.shepherd.member.MemberProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A member run as systemd runs a {@code Type=notify} service: a real Unix datagram socket (bound by
 * a Python receiver, as systemd's own) named by {@code NOTIFY_SOCKET}, a watchdog asked for with
 * {@code WATCHDOG_USEC}. The member says READY=1 once it is Up and its host agent registered, keeps
 * its STATUS= current, sends WATCHDOG=1 while healthy, and STOPPING=1 when stopped.
 */
class ServiceIT {

  static final String RECEIVER = """
      import os, socket, sys
      path = sys.argv[1]
      s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
      s.bind(path)
      print("listening", flush=True)
      while True:
          print(s.recv(4096).decode().replace("\\n", "|"), flush=True)
      """;

  TestCluster cluster;
  Process receiver;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
    if (receiver != null) {
      receiver.destroyForcibly();
    }
  }

  @Test
  void aMemberSpeaksTheNotifyProtocolFromJoiningToStopping() throws Exception {
    cluster = TestCluster.create("service-notify", Map.of());
    Path socket = Files.createTempDirectory("shepherd-notify-").resolve("notify");
    receiver = new ProcessBuilder("python3", "-c", RECEIVER, socket.toString()).redirectErrorStream(true).start();
    List<String> received = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(receiver.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          received.add(line);
        }
      } catch (IOException e) {
        received.add("receiver failed: " + e);
      }
    }, "notify-receiver");
    reader.setDaemon(true);
    reader.start();
    await(received, "the receiver listening", r -> r.contains("listening"));

    MemberProcess member = cluster.startWithEnvironment("svc", Map.of("NOTIFY_SOCKET", socket.toString(),
        "WATCHDOG_USEC", "1500000"), "manager", "host");
    ShepherdClient client = cluster.client(Duration.ofSeconds(10));
    await(received, "READY=1", r -> r.stream().anyMatch(m -> m.startsWith("READY=1")));
    // A copy: the receiver goes on adding (WATCHDOG=1), and a view of a CopyOnWriteArrayList fails once its list changes.
    List<String> seen = List.copyOf(received);
    List<String> untilReady = seen.subList(0, indexOf(seen, "READY=1") + 1);
    String ready = untilReady.get(untilReady.size() - 1);
    assertTrue(ready.matches("READY=1\\|STATUS=roles host,manager; Up; host agent registered, Manager epoch [1-9][0-9]*"),
        "READY=1 comes with the status of a member that is Up and registered: " + ready);
    assertEquals(1, untilReady.stream().filter(m -> m.contains("READY=1")).count(), "READY=1 once: " + received);
    assertTrue(untilReady.stream().anyMatch(m -> m.startsWith("STATUS=") && m.contains("joining the cluster")
        || m.contains("looking for the Manager")), "the status said what it waited for first: " + untilReady);
    TestCluster.awaitHostsUp(client, List.of("svc"));

    int watchdogsAtReady = count(received, "WATCHDOG=1");
    await(received, "WATCHDOG=1 three times more", r -> count(r, "WATCHDOG=1") >= watchdogsAtReady + 3);

    cluster.stop(member, Duration.ofSeconds(60));
    assertEquals(143, member.exitValue().orElseThrow(), "a JVM stopped by SIGTERM exits 143 after its shutdown ran (the unit "
        + "counts it as success: SuccessExitStatus=143), never 1, the status of a downed member");
    await(received, "STOPPING=1", r -> r.stream().anyMatch(m -> m.startsWith("STOPPING=1")));
    assertFalse(received.stream().anyMatch(m -> m.startsWith("receiver failed")), String.valueOf(received));
  }

  private static int indexOf(List<String> messages, String prefix) {
    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }

  private static int count(List<String> messages, String message) {
    return (int) messages.stream().filter(m -> m.equals(message)).count();
  }

  private static void await(List<String> received, String what, Predicate<List<String>> condition) throws InterruptedException {
    long deadline = System.nanoTime() + TestCluster.PATIENCE.toNanos();
    while (!condition.test(received)) {
      if (System.nanoTime() > deadline) {
        fail("timed out after " + TestCluster.PATIENCE.toSeconds() + " s waiting for " + what + "; received: " + received);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }
}
