package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.*;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.shepherd.ShepherdConfig;
import io.shepherd.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableStateTest {

  @TempDir
  Path work;

  Config member(int port, String stateDir, String... roles) {
    Config base = ConfigFactory.parseString("shepherd.host.work-root = \"" + work + "\"\n"
        + "shepherd.manager.state-dir = \"" + stateDir + "\"").withFallback(ShepherdConfig.load(TestConfig.plain()));
    return ShepherdMember.memberConfig(new MemberOptions("daq1", "127.0.0.1", port, List.of(), Set.of(roles), null), base);
  }

  static List<String> durableKeys(Config config) {
    return config.getStringList("akka.cluster.distributed-data.durable.keys");
  }

  @Test
  void aManagerMemberKeepsTheDesiredStateUnderItsWorkRootNamedByItsPort() {
    Config config = member(25520, "", "manager", "host");
    assertEquals(Optional.of(work.resolve("manager-25520")), DurableState.dir(config));
    assertEquals(List.of("shepherd-*"), durableKeys(config));
    assertEquals(work.resolve("manager-25520").toString(), config.getString("akka.cluster.distributed-data.durable.lmdb.dir"));
    assertEquals(GroupCommitStore.class.getName(), config.getString("akka.cluster.distributed-data.durable.store-actor-class"));
  }

  @Test
  void akkasOwnStoreCanBeChosen() {
    Config base = ConfigFactory.parseString("shepherd.host.work-root = \"" + work + "\"\n"
        + "shepherd.manager.state-store = akka.cluster.ddata.LmdbDurableStore").withFallback(ShepherdConfig.load(TestConfig.plain()));
    Config config = ShepherdMember.memberConfig(new MemberOptions("daq1", "127.0.0.1", 25520, List.of(), Set.of("manager"), null), base);
    assertEquals("akka.cluster.ddata.LmdbDurableStore", config.getString("akka.cluster.distributed-data.durable.store-actor-class"));
  }

  @Test
  void aFolderOfItsOwnOffPortZeroAndHostOnlyMembersAsConfigured() {
    Path own = work.resolve("state");
    assertEquals(own.toString(), member(25520, own.toString(), "manager").getString("akka.cluster.distributed-data.durable.lmdb.dir"));
    assertEquals(List.of(), durableKeys(member(25520, "off", "manager")), "off: in memory only");
    assertEquals(List.of(), durableKeys(member(0, "", "manager")), "port 0: the next run could not find it again");
    assertEquals(List.of(), durableKeys(member(25520, "", "host")), "a host-only member keeps no replica");
  }

  @Test
  void aNewStoreIsFineAndOneThatCannotBeReadIsRefusedWithTheWayOut() throws Exception {
    Path store = work.resolve("manager-25520");
    DurableState.check(store, 100 << 20);
    Files.createDirectories(store);
    DurableState.check(store, 100 << 20);
    Files.write(store.resolve("data.mdb"), new byte[8192]);
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> DurableState.check(store, 100 << 20));
    assertTrue(refused.getMessage().startsWith("the desired state kept on disk in " + store + " cannot be read ("), refused.getMessage());
    assertTrue(refused.getMessage().contains("mv " + store + " " + store + ".unreadable"), refused.getMessage());
    assertTrue(refused.getMessage().contains("apply the site file"), refused.getMessage());
  }
}
