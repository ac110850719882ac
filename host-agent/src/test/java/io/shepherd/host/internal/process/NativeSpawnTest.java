package io.shepherd.host.internal.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Processes started by the C library's posix_spawn, each in a session of its own: real processes, real pipes. */
class NativeSpawnTest {

  final NativeSpawn spawn = NativeSpawn.load().orElseThrow(() -> new AssertionError("posix_spawn with sessions loads on Linux"));
  final List<Process> started = new ArrayList<>();

  @AfterEach
  void reap() {
    started.forEach(p -> {
      Sessions.signal(p.pid(), true);
      p.destroyForcibly();
    });
  }

  Process start(List<String> command, Map<String, String> env, String dir, boolean stdin) throws IOException {
    Process process = spawn.spawn(command, env, dir, stdin, true, null).process();
    started.add(process);
    return process;
  }

  static String read(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void theProgramRunsWithItsArgumentsEnvironmentAndFolderAndItsOutputAndExitStatusArePassedOn(@TempDir Path dir) throws Exception {
    Process process = start(List.of("/bin/sh", "-c", "echo \"out $1 $SHEPHERD_TEST_VALUE $PWD ${PATH:+path}\"; echo err >&2; exit 3", "sh", "arg"),
        Map.of("SHEPHERD_TEST_VALUE", "value"), dir.toString(), false);
    // PATH comes from this JVM's environment, as with a ProcessBuilder.
    assertEquals("out arg value " + dir.toRealPath() + " path\n", read(process.getInputStream()));
    assertEquals("err\n", read(process.getErrorStream()));
    assertTrue(process.waitFor(10, TimeUnit.SECONDS));
    assertEquals(3, process.exitValue());
    assertFalse(process.isAlive());
  }

  @Test
  void theProcessLeadsASessionOfItsOwnAndASignalEndsItAs128PlusTheSignal() throws Exception {
    Process process = start(List.of("/bin/sleep", "1000"), Map.of(), null, false);
    Sessions.Stat stat = Sessions.stat(process.pid()).orElseThrow();
    assertEquals(process.pid(), stat.session(), "a session of its own");
    assertEquals(process.pid(), stat.processGroup(), "a process group of its own");
    assertTrue(process.isAlive());
    process.destroyForcibly();
    assertEquals(process, process.onExit().get(10, TimeUnit.SECONDS));
    assertEquals(128 + 9, process.exitValue());
    assertTrue(Sessions.stat(process.pid()).isEmpty(), "reaped: no zombie left");
  }

  @Test
  void stdinIsAPipeWhenAskedForAndDevNullOtherwise() throws Exception {
    Process echo = start(List.of("/bin/cat"), Map.of(), null, true);
    try (OutputStream in = echo.getOutputStream()) {
      in.write("a line\n".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("a line\n", read(echo.getInputStream()));
    assertEquals(0, echo.waitFor());
    Process none = start(List.of("/bin/cat"), Map.of(), null, false);
    assertEquals("", read(none.getInputStream()), "cat reads /dev/null and ends");
    assertEquals(0, none.waitFor());
  }

  @Test
  void stdoutAndStderrGoToDevNullWhenNotAskedFor(@TempDir Path dir) throws Exception {
    Path seen = dir.resolve("seen");
    Process quiet = spawn.spawn(List.of("/usr/bin/python3", "-c", "import os, sys\n"
        + "open(sys.argv[1], 'w').write(os.readlink('/proc/self/fd/1') + '\\n' + os.readlink('/proc/self/fd/2') + '\\n')\n"
        + "print('lost'); print('lost', file=sys.stderr)", seen.toString()),
        Map.of(), null, false, false, null).process();
    assertEquals("", read(quiet.getInputStream()));
    assertEquals("", read(quiet.getErrorStream()));
    assertEquals(0, quiet.waitFor());
    assertEquals("/dev/null\n/dev/null\n", Files.readString(seen));
  }

  @Test
  void theChildHoldsNoDescriptorOfThisJvmButItsThree(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("held-open");
    Files.writeString(file, "x");
    try (InputStream held = Files.newInputStream(file)) {
      Process process = start(List.of("/bin/ls", "/proc/self/fd"), Map.of(), null, false);
      List<String> fds = read(process.getInputStream()).lines().toList();
      assertEquals(0, process.waitFor());
      // 0, 1, 2 and the one ls opened to list the folder.
      assertTrue(fds.size() <= 4, "inherited descriptors: " + fds);
      assertTrue(held.read() >= 0);
    }
  }

  @Test
  void aProgramThatCannotRunIsRefusedWithTheReason(@TempDir Path dir) {
    IOException missing = assertThrows(IOException.class, () -> start(List.of(dir.resolve("none").toString()), Map.of(), null, false));
    assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());
    IOException noFolder = assertThrows(IOException.class, () -> start(List.of("/bin/true"), Map.of(), dir.resolve("gone").toString(),
        false));
    assertTrue(noFolder.getMessage().contains("gone"), noFolder.getMessage());
  }
}
