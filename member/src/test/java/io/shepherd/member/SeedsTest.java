package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import io.shepherd.ShepherdConfig;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeedsTest {

  static Config member(int port, List<String> seeds) {
    return ShepherdMember.memberConfig(new MemberOptions("daq1", "127.0.0.1", port, seeds, Set.of("host"), null),
        ShepherdConfig.load(TestConfig.plain()));
  }

  static Duration seedNodeTimeout(Config config) {
    return config.getDuration("akka.cluster.seed-node-timeout");
  }

  @Test
  void theFirstOfSeveralSeedsWaitsLongerForTheOthersBeforeItStartsACluster() {
    Config config = member(25520, List.of("127.0.0.1:25520", "127.0.0.1:25521", "127.0.0.1:25522"));
    assertEquals(Duration.ofSeconds(30), config.getDuration("shepherd.member.first-seed-timeout"));
    assertEquals(Duration.ofSeconds(30), seedNodeTimeout(config));
  }

  @Test
  void everyOtherMemberKeepsAkkasTimeoutWhichIsAlsoHowOftenItRetriesItsJoin() {
    Duration akkas = Duration.ofSeconds(5);
    assertEquals(akkas, seedNodeTimeout(member(25521, List.of("127.0.0.1:25520", "127.0.0.1:25521"))), "a later seed");
    assertEquals(akkas, seedNodeTimeout(member(25529, List.of("127.0.0.1:25520", "127.0.0.1:25521"))), "not a seed");
    assertEquals(akkas, seedNodeTimeout(member(25520, List.of("127.0.0.1:25520"))), "the only seed starts a cluster at once");
    assertEquals(akkas, seedNodeTimeout(member(25520, List.of("127.0.0.2:25520", "127.0.0.1:25520"))), "another host, same port");
  }
}
