package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypes;
import io.shepherd.host.agent.HostAgent;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.testing.TestConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which cgroups a machine has, read from the text of /proc/self/mounts (mount points made in a
 * temporary directory); and a process born in its cgroup, with the machine's real cgroups v1
 * (skipped, saying why, where this member may not write them); a host registers as it contains.
 */
class CgroupsTest {

  @TempDir
  Path root;

  @Test
  void version1HierarchiesAreFoundByTheirControllersAndOnlyWritableOnesCount() throws Exception {
    for (String controller : new String[] {"cpu", "memory", "pids", "freezer", "blkio"}) {
      Files.createDirectories(root.resolve(controller));
    }
    String mounts = String.join("\n",
        "proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0",
        "tmpfs " + root + " tmpfs rw,relatime,mode=755 0 0",
        "cgroup " + root.resolve("cpu") + " cgroup rw,relatime,cpu 0 0",
        "cgroup " + root.resolve("memory") + " cgroup rw,relatime,memory 0 0",
        "cgroup " + root.resolve("pids") + " cgroup rw,relatime,pids 0 0",
        "cgroup " + root.resolve("freezer") + " cgroup ro,relatime,freezer 0 0",
        "cgroup " + root.resolve("blkio") + " cgroup rw,relatime,blkio 0 0");
    Cgroups found = Cgroups.detect(mounts, "daq 1");
    assertTrue(found.usable());
    assertEquals("cgroup v1: cpu, memory, pids", found.describe(), "a read-only freezer and blkio (not used) are left out");
    assertTrue(found.limits("memory") && found.limits("cpu") && found.limits("pids"));
    Cgroups prepared = found.prepare();
    assertTrue(Files.isDirectory(root.resolve("memory").resolve("shepherd.daq_1")), "the host's directory, its id made safe");
    assertSame(found, prepared);
  }

  @Test
  void withoutCgroupsOrWithoutWritableOnesProcessesAreContainedBySessionsAndItSaysWhy() {
    Cgroups none = Cgroups.detect("proc /proc proc rw 0 0\nsysfs /sys sysfs rw 0 0", "daq1");
    assertFalse(none.usable());
    assertFalse(none.limits("memory"));
    assertEquals("none: this machine has no cgroups; processes are contained by their sessions only", none.describe());
    Cgroups readOnly = Cgroups.detect("cgroup /nonexistent/memory cgroup rw,memory 0 0", "daq1");
    assertTrue(readOnly.describe().startsWith("none: the machine's cgroups are not writable by this member"), readOnly.describe());
  }

  @Test
  void aHostWhoseCgroupsCannotBeMadeRegistersAsContainedBySessionsOnly() throws Exception {
    Files.createDirectories(root.resolve("pids"));
    Files.writeString(root.resolve("pids").resolve("shepherd.daq1"), "a file where the host's directory would go");
    Cgroups found = Cgroups.detect("cgroup " + root.resolve("pids") + " cgroup rw,relatime,pids 0 0", "daq1");
    assertEquals("cgroup v1: pids", found.describe());
    ActorTestKit kit = ActorTestKit.create("cgroups", ConfigFactory.parseString("""
        shepherd.host.id = daq1
        shepherd.host.work-root = "%s"
        """.formatted(root.resolve("work"))).withFallback(TestConfig.local()));
    try {
      TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
      kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
      HostSettings settings = HostSettings.create(kit.system());
      ProcessHost processes = new ProcessHost(settings, found);
      kit.spawn(HostAgent.create(settings, NodeTypes.create(settings), processes), "host");
      String containment = manager.expectMessageClass(ManagerProtocol.RegisterHost.class, Duration.ofSeconds(20)).info().containment();
      assertTrue(containment.startsWith("none: cgroup v1: pids could not be used"), containment);
      assertEquals(containment, processes.containment(), "the registration says what the host does");
      processes.close();
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void theUnifiedHierarchyIsFoundWhenItsControlFileIsWritable() throws Exception {
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids");
    Cgroups found = Cgroups.detect("cgroup2 " + root + " cgroup2 rw,nosuid,nodev,noexec,relatime 0 0", "daq1");
    assertEquals("cgroup v2", found.describe());
    Cgroups prepared = found.prepare();
    assertEquals("+pids +memory +cpu", Files.readString(root.resolve("cgroup.subtree_control")), "its controllers enabled for it");
    assertEquals("cgroup v2: cpu, memory, pids", prepared.describe());
  }

  @Test
  void aThreadsOwnCgroupsAreFoundUnderTheMountsTheHostUsesAndOnesNotThereAreLeftOut() throws Exception {
    for (String dir : new String[] {"cpu,cpuacct/user.slice", "memory/user.slice/session-1", "pids"}) {
      Files.createDirectories(root.resolve(dir));
    }
    Cgroups found = Cgroups.detect(String.join("\n",
        "cgroup " + root.resolve("cpu,cpuacct") + " cgroup rw,relatime,cpu,cpuacct 0 0",
        "cgroup " + root.resolve("memory") + " cgroup rw,relatime,memory 0 0",
        "cgroup " + root.resolve("pids") + " cgroup rw,relatime,pids 0 0"), "daq1");
    String proc = String.join("\n", "12:pids:/", "4:memory:/user.slice/session-1", "3:cpu,cpuacct:/user.slice",
        "2:freezer:/elsewhere", "0::/user.slice/session-1.scope");
    assertEquals(Map.of("cpu", root.resolve("cpu,cpuacct/user.slice"), "memory", root.resolve("memory/user.slice/session-1"),
        "pids", root.resolve("pids")), found.threadCgroups(proc, Set.of("cpu", "memory", "pids")));
    assertEquals(Map.of("pids", root.resolve("pids")), found.threadCgroups("12:pids:/\n4:memory:/not/mounted/here", Set.of("pids", "memory")),
        "a cgroup not under the mount (a part of the tree mounted, as in some containers) is left out");
  }

  @Test
  void aProcessIsBornInItsCgroupWhileTheThreadThatStartsItStaysThereNoLongerAndCountsForNoLimit() throws Exception {
    Cgroups host = Cgroups.detect("cgtest" + ProcessHandle.current().pid()).prepare();
    assumeTrue(host.describe().startsWith("cgroup v1") && host.limits("pids"), "no writable cgroups v1 with pids here: " + host.describe());
    Path ownCgroups = Path.of("/proc/thread-self/cgroup");
    String before = Files.readString(ownCgroups);
    Map<String, Path> own = host.threadCgroups(before, host.hierarchies());
    assumeTrue(own.keySet().equals(host.hierarchies()) && own.values().stream().allMatch(dir -> Files.isWritable(dir.resolve("tasks"))),
        "this thread's own cgroups " + own + " are not all found and writable here: processes are moved into their cgroups after they start");
    NativeSpawn spawn = NativeSpawn.load().orElse(null);
    assumeTrue(spawn != null, "no posix_spawn with sessions here");
    Cgroups.Group group = host.create("t/g/n", new ProcessSpec.Limits(null, null, 1)).orElseThrow();
    Process child = null;
    try {
      BornInside.Entered inside = group.enter().orElseThrow();
      assertEquals(List.of(), group.pids(), "this JVM, listed while its thread is inside, is never one of the group's processes");
      inside.leave();
      // With pids.max 1 and the thread counted, this fork would fail: the group counts one more while the thread is in it.
      NativeSpawn.Spawned spawned = spawn.spawn(List.of("/bin/sleep", "60"), Map.of(), null, false, true, group);
      child = spawned.process();
      assertTrue(spawned.bornInGroup());
      assertEquals(before, Files.readString(ownCgroups), "the thread is back in its own cgroups");
      String childs = Files.readString(Path.of("/proc/" + child.pid() + "/cgroup"));
      long bornIn = childs.lines()
          .filter(line -> group.paths().stream().anyMatch(dir -> line.endsWith(":/" + dir.getParent().getParent().relativize(dir))))
          .count();
      assertEquals(group.paths().size(), bornIn, "born in each hierarchy's group " + group.paths() + ": " + childs);
      assertEquals(List.of(child.pid()), group.pids());
      Path pidsMax = group.paths().stream().filter(dir -> Files.exists(dir.resolve("pids.max"))).findFirst().orElseThrow();
      assertEquals("1", Files.readString(pidsMax.resolve("pids.max")).trim(), "the group's own limit, once the thread has left");
    } finally {
      if (child != null) {
        child.destroyForcibly().onExit().get(10, TimeUnit.SECONDS);
      }
      group.remove();
      host.close();
    }
  }

  @Test
  void aThreadThatCannotGoBackGoesToTheHostsCgroupAndLaterProcessesAreMovedInAfterTheyStart() throws Exception {
    // A tree of plain files and directories standing for v1 mounts; this thread's own cgroups are the roots ("/" in each).
    Path pids = Files.createDirectories(root.resolve("pids"));
    Cgroups found = Cgroups.detect("cgroup " + pids + " cgroup rw,relatime,pids 0 0", "daq1").prepare();
    String procCgroup = Files.readString(Path.of("/proc/thread-self/cgroup"));
    assumeTrue(procCgroup.contains(":pids:/\n"), "this thread's pids cgroup is the root here: " + procCgroup);
    String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    Files.writeString(pids.resolve("tasks"), "");
    Cgroups.Group group = found.create("t/g/n", new ProcessSpec.Limits(null, null, 4)).orElseThrow();
    Path dir = group.paths().get(0);
    Files.writeString(dir.resolve("tasks"), "");
    BornInside.Entered inside = group.enter().orElseThrow();
    assertEquals(tid, Files.readString(dir.resolve("tasks")));
    assertEquals("5", Files.readString(dir.resolve("pids.max")), "one more while the thread is in");
    Files.delete(pids.resolve("tasks"));
    Files.createDirectory(pids.resolve("tasks")); // writing a thread's id to it fails
    inside.leave();
    assertEquals(tid, Files.readString(pids.resolve("shepherd.daq1/tasks")), "put in the host's cgroup instead");
    assertEquals("4", Files.readString(dir.resolve("pids.max")));
    Files.delete(pids.resolve("tasks"));
    Files.writeString(pids.resolve("tasks"), "");
    assertTrue(group.enter().isEmpty(), "from then on, processes are moved in after they start");
  }
}
