package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.testing.TestConfig;
import java.time.Duration;

/** A test kit whose system is a cluster of one member with the role manager, up: a home for Distributed Data. */
final class OneMemberCluster {

  private OneMemberCluster() {}

  static ActorTestKit start(String name, Duration wait) {
    ActorTestKit kit = ActorTestKit.create(name, ConfigFactory.parseString("""
        akka.remote.artery.canonical.port = 0
        akka.cluster.roles = [manager]
        """).withFallback(ShepherdConfig.load(TestConfig.plain())));
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    kit.createTestProbe().awaitAssert(wait, () -> {
      assertEquals(MemberStatus.up(), cluster.selfMember().status());
      return null;
    });
    return kit;
  }
}
