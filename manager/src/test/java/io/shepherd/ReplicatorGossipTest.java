package io.shepherd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.cluster.ddata.ReplicatorSettings;
import com.typesafe.config.Config;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The two Distributed Data replicators of a member, as {@link ShepherdConfig} sets them up: the
 * desired state's gossips at Akka's pace (each round sends the whole of every key that differs),
 * the Receptionist's, through which a new Manager is found, four times as often.
 */
class ReplicatorGossipTest {

  private final Config config = ShepherdConfig.load(TestConfig.plain());

  @Test
  void theDesiredStateGossipsEveryTwoSecondsAmongManagerMembersOnly() {
    ReplicatorSettings desired = ReplicatorSettings.apply(config.getConfig("akka.cluster.distributed-data"));
    assertEquals(Duration.ofSeconds(2), Duration.ofNanos(desired.gossipInterval().toNanos()));
    assertEquals("manager", desired.roles().mkString(","));
  }

  @Test
  void theReceptionistGossipsEveryHalfSecondOnEveryMemberAndKeepsTheSharedSettings() {
    ReplicatorSettings receptionist = ReplicatorSettings.apply(config.getConfig("akka.cluster.typed.receptionist.distributed-data"));
    assertEquals(Duration.ofMillis(500), Duration.ofNanos(receptionist.gossipInterval().toNanos()));
    assertEquals("", receptionist.roles().mkString(","));
    assertEquals(Duration.ofMillis(200), Duration.ofNanos(receptionist.notifySubscribersInterval().toNanos()));
  }
}
