package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServiceCommandsTest {

  static final List<String> PROPERTIES = List.of("shepherd.home", "shepherd.service.systemd-dir", "shepherd.service.unit-dir",
      "shepherd.service.systemctl");

  @TempDir
  Path dir;
  Path home;
  Path units;
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();

  /** An installation as install-service finds one: bin/shepherd and a built member. */
  @BeforeEach
  void installation() throws IOException {
    home = dir.resolve("shepherd");
    Files.createDirectories(home.resolve("member/target/lib"));
    Files.createDirectories(home.resolve("bin"));
    Files.writeString(home.resolve("bin/shepherd"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(home.resolve("bin/shepherd"), PosixFilePermissions.fromString("rwxr-xr-x"));
    units = Files.createDirectories(dir.resolve("units"));
    System.setProperty("shepherd.home", home.toString());
    System.setProperty("shepherd.service.unit-dir", units.toString());
    System.setProperty("shepherd.service.systemctl", "true");
  }

  @AfterEach
  void clear() {
    PROPERTIES.forEach(System::clearProperty);
  }

  int run(String... args) {
    CommandLine commandLine = MemberCli.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void theUnitPassesSystemdAnalyzeVerifyAndRunsTheMemberAsAService() throws Exception {
    assertEquals(0, run("install-service", "--host-id", "daq1", "--seeds", "10.0.0.11:2551,10.0.0.12:2551", "--hostname",
        "10.0.0.11", "--user", "root", "--dry-run"), err.toString());
    String unit = out.toString();
    for (String line : List.of("Type=notify", "NotifyAccess=main", "WatchdogSec=60", "Restart=always", "SuccessExitStatus=143", "RestartSec=2",
        "KillMode=mixed", "TimeoutStopSec=60", "LimitNOFILE=65536", "User=root", "Environment=SHEPHERD_NO_BUILD=1",
        "ExecStart=" + home.resolve("bin/shepherd") + " member --host-id=daq1 --hostname=10.0.0.11 "
            + "--seeds=10.0.0.11:2551,10.0.0.12:2551",
        "Environment=\"SHEPHERD_JAVA_OPTS=-Dshepherd.tls.dir=/root/.shepherd/tls -Dshepherd.host.work-root=/root/.shepherd\"")) {
      assertTrue(unit.lines().anyMatch(line::equals), "the unit has " + line + ":\n" + unit);
    }
    Path file = Files.writeString(dir.resolve(ServiceUnit.NAME), unit);
    Process verify = new ProcessBuilder("systemd-analyze", "verify", file.toString()).redirectErrorStream(true).start();
    String said = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, verify.exitValue(), said);
    assertEquals("", said.strip(), "systemd-analyze verify has nothing to say about the unit");
    assertEquals(List.of(), list(units), "a dry run writes nothing");
  }

  @Test
  void withoutSystemdNothingIsWrittenAndTheMessageSaysWhatToDo() throws Exception {
    System.setProperty("shepherd.service.systemd-dir", dir.resolve("no-systemd").toString());
    assertEquals(1, run("install-service", "--host-id", "daq1", "--seeds", "10.0.0.11:2551", "--user", "root"));
    assertTrue(err.toString().contains("systemd is not running on this machine"), err.toString());
    assertTrue(err.toString().contains("--dry-run"), err.toString());
    assertEquals(List.of(), list(units));
  }

  @Test
  void installWritesTheUnitAndUninstallRemovesIt() throws Exception {
    System.setProperty("shepherd.service.systemd-dir", Files.createDirectories(dir.resolve("systemd")).toString());
    assertEquals(0, run("install-service", "--roles", "manager", "--seeds", "10.0.0.11:2551", "--user", "root"), err.toString());
    Path unit = units.resolve(ServiceUnit.NAME);
    assertTrue(Files.readString(unit).contains(" member --seeds=10.0.0.11:2551 --roles=manager\n"), Files.readString(unit));
    assertTrue(out.toString().contains("systemctl enable --now shepherd-member"), out.toString());
    assertEquals(0, run("uninstall-service"), err.toString());
    assertFalse(Files.exists(unit));
    assertEquals(0, run("uninstall-service"), "nothing to remove is not an error");
    assertTrue(out.toString().contains("nothing to remove"), out.toString());
  }

  @Test
  void badInputIsRefusedAndNothingIsWritten() throws Exception {
    System.setProperty("shepherd.service.systemd-dir", Files.createDirectories(dir.resolve("systemd")).toString());
    assertEquals(2, run("install-service", "--seeds", "10.0.0.11:2551", "--user", "root"));
    assertTrue(err.toString().contains("give --host-id"), err.toString());
    assertEquals(2, run("install-service", "--host-id", "daq1", "--seeds", "10.0.0.11", "--user", "root"));
    assertEquals(2, run("install-service", "--host-id", "daq1", "--seeds", "10.0.0.11:2551", "--user", "nobody-here-at-all"));
    assertTrue(err.toString().contains("no user 'nobody-here-at-all'"), err.toString());
    assertEquals(2, run("install-service", "--host-id", "daq1", "--seeds", "10.0.0.11:2551", "--roles", "witness", "--user", "root"));
    assertEquals(List.of(), list(units));
  }

  static List<Path> list(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.toList();
    }
  }
}
