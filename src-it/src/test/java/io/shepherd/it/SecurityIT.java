package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ClientSettings;
import io.shepherd.client.ShepherdClient;
import io.shepherd.client.ShepherdException;
import io.shepherd.member.Certificates;
import io.shepherd.member.MemberProcess;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster over mutual TLS, as shipped: members with a certificate of the cluster's CA work as
 * before; a member or client with another CA's certificate, or none, cannot join and reaches no
 * actor; garbage bytes on a member's port are dropped and the member carries on.
 */
class SecurityIT {

  static final Path CERTS = Path.of(System.getProperty("shepherd.it.logs", "target/it-logs"), "security-certs").toAbsolutePath();
  static TestCluster cluster;
  static ShepherdClient client;
  static MemberProcess alpha;

  static Map<String, String> tls(String ca, String name) {
    return Map.of("shepherd.tls.enabled", "on", "shepherd.tls.dir", CERTS.resolve(ca).resolve(name).toString());
  }

  @BeforeAll
  static void start() throws Exception {
    if (Files.exists(CERTS)) {
      try (var files = Files.walk(CERTS)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    Certificates.create(CERTS.resolve("cluster"), List.of("alpha", "beta", "client"), 30);
    Certificates.create(CERTS.resolve("rogue"), List.of("mallory"), 30);
    cluster = TestCluster.create("security", Map.of("shepherd.logs.server.dir", CERTS.resolve("server-logs").toString(),
        "shepherd.host.work-root", CERTS.resolve("work").toString()));
    alpha = cluster.startWith("alpha", tls("cluster", "alpha"), "manager", "host");
    cluster.startWith("beta", tls("cluster", "beta"), "host");
    client = cluster.client(Duration.ofSeconds(20), tls("cluster", "client"));
    TestCluster.awaitHostsUp(client, List.of("alpha", "beta"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void membersWithTheClustersCertificatesWorkAsBefore() {
    client.createGroup("beta/acq").toCompletableFuture().join();
    assertEquals(NodeState.RUNNING, client.createNode("beta/acq/sine", NodeSpec.of("sine", Map.of()), NodeState.RUNNING)
        .thenCompose(n -> client.requestAndAwait("beta/acq/sine", NodeState.RUNNING)).toCompletableFuture().join().state());
    client.removeGroup("beta/acq").toCompletableFuture().join();
  }

  @Test
  void aMemberWithAnotherCasCertificateOrNoneCannotJoin() throws Exception {
    MemberProcess mallory = cluster.startWith("mallory", tls("rogue", "mallory"), "host");
    MemberProcess plain = cluster.startWith("plain", Map.of("shepherd.tls.enabled", "off"), "host");
    // Give them far longer than a join takes here (a few seconds).
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
    while (System.nanoTime() < until) {
      ClusterStatus status = client.status().toCompletableFuture().join();
      assertTrue(status.members().stream().noneMatch(m -> m.address().equals(mallory.address()) || m.address().equals(plain.address())),
          "an outsider joined: " + status.members());
      assertTrue(status.hosts().stream().noneMatch(h -> h.id().equals("mallory") || h.id().equals("plain")));
      TimeUnit.SECONDS.sleep(1);
    }
    assertEquals(2, client.status().toCompletableFuture().join().hosts().size());
    // They were refused, not dead: both still run, and their logs show them trying.
    assertTrue(mallory.alive() && plain.alive(), "the outsiders still run: a JVM that crashed at start cannot pass as refused");
    assertTrue(Files.readString(mallory.log()).contains("SSLHandshakeException"), "mallory's TLS handshake was refused");
    assertTrue(Files.readString(plain.log()).contains("Couldn't join seed nodes"), "plain tried to join and could not");
    cluster.kill(mallory);
    cluster.kill(plain);
  }

  @Test
  void aClientWithAnotherCasCertificateReachesNoManager() {
    ShepherdException refused = assertThrows(ShepherdException.class, () -> ShepherdClient.connect(
        cluster.settings(tls("rogue", "mallory")).withConnectTimeout(Duration.ofSeconds(10))));
    assertInstanceOf(ShepherdException.NoManagerReachable.class, refused);
    assertTrue(refused.getMessage().contains("TLS handshake"), refused.getMessage());
  }

  @Test
  void garbageOnAMembersPortIsDroppedAndTheMemberCarriesOn() throws Exception {
    for (int round = 0; round < 3; round++) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", alpha.port()), 5000);
        socket.setSoTimeout(20_000);
        byte[] garbage = new byte[64 * 1024];
        new Random(round).nextBytes(garbage);
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        boolean closed = false;
        try {
          out.write(garbage);
          out.flush();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
          while (!closed && System.nanoTime() < deadline) {
            closed = in.read(new byte[4096]) < 0;
          }
        } catch (IOException e) {
          closed = !(e instanceof SocketTimeoutException); // reset by the member
        }
        assertTrue(closed, "the member dropped the connection");
      }
    }
    assertTrue(alpha.alive());
    ClusterStatus status = client.status().toCompletableFuture().join();
    assertEquals(2, status.hosts().stream().filter(h -> h.status().equals("UP")).count(), "the member carries on");
    client.createGroup("alpha/after").toCompletableFuture().join();
    client.removeGroup("alpha/after").toCompletableFuture().join();
  }
}
