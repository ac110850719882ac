package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which cgroups a machine has, read from the text of /proc/self/mounts (mount points made in a temporary directory). */
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
  void theUnifiedHierarchyIsFoundWhenItsControlFileIsWritable() throws Exception {
    Files.writeString(root.resolve("cgroup.subtree_control"), "");
    Files.writeString(root.resolve("cgroup.controllers"), "cpuset cpu io memory pids");
    Cgroups found = Cgroups.detect("cgroup2 " + root + " cgroup2 rw,nosuid,nodev,noexec,relatime 0 0", "daq1");
    assertEquals("cgroup v2", found.describe());
    Cgroups prepared = found.prepare();
    assertEquals("+pids +memory +cpu", Files.readString(root.resolve("cgroup.subtree_control")), "its controllers enabled for it");
    assertEquals("cgroup v2: cpu, memory, pids", prepared.describe());
  }
}
