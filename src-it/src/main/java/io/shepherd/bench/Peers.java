package io.shepherd.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The peers Shepherd is measured beside: supervisord (Debian's {@code supervisor}, installed with
 * apt-get when missing and running as root) and pm2 (installed with npm into a cache folder kept
 * across runs). Each lookup says on stderr why a peer is skipped.
 */
final class Peers {

  /** Where pm2 is installed once and reused by later runs. */
  static final Path PM2_HOME = Path.of(System.getProperty("java.io.tmpdir"), "shepherd-bench-pm2");

  private Peers() {}

  /** supervisord's path, installing it if it is missing and this is root; null if unavailable. */
  static String supervisord() throws IOException, InterruptedException {
    String supervisord = which("supervisord");
    if (supervisord == null && isRoot()) {
      Report.note("installing supervisor (Debian package) to compare");
      exec(List.of("apt-get", "install", "-y", "-qq", "supervisor"), Map.of("DEBIAN_FRONTEND", "noninteractive"));
      supervisord = which("supervisord");
    }
    if (supervisord == null) {
      Report.note("supervisord is not installed and cannot be (apt-get install supervisor); skipped");
    }
    return supervisord;
  }

  /**
   * The sections every supervisord configuration of the benchmarks has: in the foreground, its
   * log, pid file and its programs' logs in {@code dir}, and the RPC interface its clients use.
   */
  static List<String> supervisordSections(Path dir) {
    return List.of("[supervisord]", "nodaemon=true", "logfile=" + dir.resolve("supervisord.log"),
        "pidfile=" + dir.resolve("supervisord.pid"), "childlogdir=" + dir,
        "[rpcinterface:supervisor]", "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface");
  }

  /** The folder holding {@code node_modules/pm2}, installing it once with npm; null if unavailable. */
  static Path pm2() throws IOException, InterruptedException {
    if (which("npm") == null || which("node") == null) {
      Report.note("node and npm are not installed; pm2 skipped");
      return null;
    }
    if (!Files.isExecutable(PM2_HOME.resolve("node_modules/.bin/pm2"))) {
      Files.createDirectories(PM2_HOME);
      Report.note("installing pm2 into " + PM2_HOME + " (npm)");
      if (exec(List.of("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", PM2_HOME.toString(), "pm2"), Map.of()) != 0) {
        Report.note("npm install pm2 failed; pm2 skipped");
        return null;
      }
    }
    return PM2_HOME;
  }

  /** The pm2 command of an install from {@link #pm2()}. */
  static String pm2Command(Path install) {
    return install.resolve("node_modules/.bin/pm2").toString();
  }

  static String which(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** Runs a command to its end (at most 10 minutes), output discarded; returns its exit status, -1 if it had to be killed. */
  static int exec(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    builder.environment().putAll(env);
    Process process = builder.start();
    if (!process.waitFor(10, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
