package io.shepherd.manager;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Shepherd's Artery settings between two JVM-like systems on loopback: the frame size limit holds, and traffic carries on. */
class ArteryLimitsTest {

  static Config config() {
    return ConfigFactory.parseString("""
        akka.actor.provider = remote
        akka.remote.artery.canonical.port = 0
        akka.remote.artery.canonical.hostname = "127.0.0.1"
        """).withFallback(ShepherdConfig.load(TestConfig.plain()));
  }

  static final ActorTestKit sender = ActorTestKit.create("shepherd", config());
  static final ActorTestKit receiver = ActorTestKit.create("shepherd", config());

  @AfterAll
  static void shutdown() {
    sender.shutdownTestKit();
    receiver.shutdownTestKit();
  }

  @Test
  void anOversizedMessageIsDroppedByItsSenderAndTheRestOfItsTrafficCarriesOn() {
    TestProbe<ManagerProtocol.Reply> probe = receiver.createTestProbe();
    String path = ActorRefResolver.get(receiver.system()).toSerializationFormat(probe.getRef());
    ActorRef<ManagerProtocol.Reply> remote = ActorRefResolver.get(sender.system()).resolveActorRef(path);

    remote.tell(new ManagerProtocol.Failed(ErrorCode.INTERNAL, "before"));
    assertEquals("before", ((ManagerProtocol.Failed) probe.receiveMessage(Duration.ofSeconds(20))).message());

    byte[] noise = new byte[1_500_000]; // random: compression cannot bring it under the 1 MiB frame
    new Random(42).nextBytes(noise);
    remote.tell(new ManagerProtocol.Failed(ErrorCode.INTERNAL, Base64.getEncoder().encodeToString(noise)));
    remote.tell(new ManagerProtocol.Failed(ErrorCode.INTERNAL, "after"));
    ManagerProtocol.Failed next = (ManagerProtocol.Failed) probe.receiveMessage(Duration.ofSeconds(20));
    assertEquals("after", next.message(), "the oversized message never arrived; the next one did");
    probe.expectNoMessage(Duration.ofMillis(500));
  }
}
