package io.shepherd.client;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.member.MemberOptions;
import io.shepherd.member.ShepherdMember;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** A one-member cluster (manager and host daq1) in this JVM, with its HTTP API on a free loopback port. */
final class OneMember implements AutoCloseable {

  final ActorSystem<Void> system;
  final URI api;

  OneMember(String settings) throws InterruptedException {
    Config config = ShepherdMember.memberConfig(new MemberOptions("daq1", "127.0.0.1", 0, List.of(), Set.of("manager", "host"), null),
        ConfigFactory.parseString(settings + """
            akka.actor.serialize-messages = on
            akka.coordinated-shutdown.exit-jvm = off
            akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            shepherd.logs.server.dir = "target/shepherd-logs"
            shepherd.api.port = 0
            """).withFallback(ShepherdConfig.load(ConfigFactory.parseString("shepherd.tls.enabled = off"))));
    system = ShepherdMember.start(config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (cluster.selfMember().status() != MemberStatus.up() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    api = ShepherdMember.apiUri(system).orElseThrow();
  }

  /** Settings of a client of this member's API. */
  ClientSettings settings() {
    return ClientSettings.create().withApi(api.toString()).withCallTimeout(Duration.ofSeconds(10)).withConnectTimeout(Duration.ofSeconds(30));
  }

  /** A client connected to this member, once host daq1 is up. */
  ShepherdClient client() throws InterruptedException {
    ShepherdClient client = ShepherdClient.connect(settings());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (client.hosts().toCompletableFuture().join().stream().noneMatch(h -> h.id().equals("daq1") && h.status().equals("UP"))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("host daq1 did not come up within 30 s");
      }
      Thread.sleep(100);
    }
    return client;
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
