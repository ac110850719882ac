package io.shepherd.bench;

import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.protocol.RestartPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The process nodes' figures: restart after kill -9 beside supervisord and pm2, and a site file of 100 processes. */
final class ProcessBenchmarks {

  private ProcessBenchmarks() {}

  static List<Benchmark> all() {
    return List.of(new RestartAfterKill(), new Apply100());
  }

  /** Configuration that lets members run the benchmark's processes. */
  static Map<String, String> processConfig(Path work) {
    Map<String, String> config = new LinkedHashMap<>(BenchCluster.tuning());
    config.put("shepherd.host.process.allowed.0", "/usr/bin/*");
    config.put("shepherd.host.process.allowed.1", "/bin/*");
    config.put("shepherd.host.work-root", work.toString());
    return config;
  }

  /**
   * kill -9 of a supervised process -> its replacement exists, for Shepherd, supervisord and pm2,
   * each running {@code sleep MARKER}. A replacement is seen by reading /proc for every pid handed
   * out since the kill (the last pid is in /proc/loadavg), in a busy loop: ~10 µs resolution.
   */
  static final class RestartAfterKill implements Benchmark {
    static final int KILLS = 50;

    public String name() {
      return "process-restart";
    }

    public String description() {
      return "kill -9 of a process node's process -> its replacement running the program (sleep exec'd, for every contender), p50 "
          + "and p95 over 50 kills, beside supervisord (autorestart) and pm2 measured the same way; target p50 <= 3 ms, below both";
    }

    public void run(Report report) throws Exception {
      Path work = Files.createTempDirectory("shepherd-bench-process-");
      shepherd(report, work);
      supervisord(report, work);
      pm2(report, work);
    }

    private void shepherd(Report report, Path work) throws Exception {
      try (BenchCluster cluster = new BenchCluster(name(), processConfig(work))) {
        RestartPolicy always = new RestartPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ZERO, RestartPolicy.MAX_RESTARTS_LIMIT,
            Duration.ofSeconds(1));
        cluster.client.createGroup("bench-b/p", true).toCompletableFuture().join();
        cluster.client.createNode("bench-b/p/sleeper", NodeSpec.process(ProcessSpec.of("sleep", "100001")).withRestart(always),
            NodeState.RUNNING).toCompletableFuture().join();
        long pid = ProcWatch.await("100001", 0, TimeUnit.SECONDS.toNanos(60));
        Report.note("shepherd: warming up with 200 kills");
        pid = killLoop(pid, "100001", 200);
        long[] samples = new long[KILLS];
        measure(pid, "100001", samples);
        report.percentiles("shepherd", samples);
      }
    }

    private void supervisord(Report report, Path work) throws Exception {
      String supervisord = which("supervisord");
      if (supervisord == null && isRoot()) {
        Report.note("installing supervisor (Debian package) to compare");
        exec(List.of("apt-get", "install", "-y", "-qq", "supervisor"), Map.of("DEBIAN_FRONTEND", "noninteractive"));
        supervisord = which("supervisord");
      }
      if (supervisord == null) {
        Report.note("supervisord is not installed and cannot be (apt-get install supervisor); skipped");
        return;
      }
      Path dir = Files.createDirectories(work.resolve("supervisor"));
      Path conf = dir.resolve("supervisord.conf");
      Files.writeString(conf, String.join("\n",
          "[unix_http_server]", "file=" + dir.resolve("supervisor.sock"),
          "[supervisord]", "nodaemon=true", "logfile=" + dir.resolve("supervisord.log"), "pidfile=" + dir.resolve("supervisord.pid"),
          "childlogdir=" + dir,
          "[rpcinterface:supervisor]", "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
          "[program:sleeper]", "command=/usr/bin/sleep 100002", "autorestart=true", "startsecs=0", "startretries=1000000", ""));
      Process daemon = new ProcessBuilder(supervisord, "-c", conf.toString()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
      try {
        long pid = ProcWatch.await("100002", 0, TimeUnit.SECONDS.toNanos(60));
        pid = killLoop(pid, "100002", 3);
        long[] samples = new long[KILLS];
        Report.note("supervisord: 50 kills (about a second each)");
        measure(pid, "100002", samples);
        report.percentiles("supervisord", samples);
      } finally {
        daemon.destroy();
        if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
          daemon.destroyForcibly();
        }
        ProcWatch.killAll("100002");
      }
    }

    private void pm2(Report report, Path work) throws Exception {
      if (which("npm") == null || which("node") == null) {
        Report.note("node and npm are not installed; pm2 skipped");
        return;
      }
      Path dir = Files.createDirectories(work.resolve("pm2"));
      Report.note("installing pm2 into " + dir + " (npm)");
      if (exec(List.of("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", dir.toString(), "pm2"), Map.of()) != 0) {
        Report.note("npm install pm2 failed; pm2 skipped");
        return;
      }
      String pm2 = dir.resolve("node_modules/.bin/pm2").toString();
      Map<String, String> env = Map.of("PM2_HOME", dir.resolve("home").toString());
      try {
        // An ecosystem file: the CLI has no --min-uptime, and without it pm2 gives up on a process killed often.
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, "{\"apps\": [{\"name\": \"sleeper\", \"script\": \"/usr/bin/sleep\", \"args\": \"100003\", "
            + "\"interpreter\": \"none\", \"autorestart\": true, \"min_uptime\": 0, \"max_restarts\": 1000000}]}");
        if (exec(List.of(pm2, "start", apps.toString()), env) != 0) {
          Report.note("pm2 start failed; pm2 skipped");
          return;
        }
        long pid = ProcWatch.await("100003", 0, TimeUnit.SECONDS.toNanos(60));
        pid = killLoop(pid, "100003", 10);
        long[] samples = new long[KILLS];
        measure(pid, "100003", samples);
        report.percentiles("pm2", samples);
      } finally {
        exec(List.of(pm2, "kill"), env);
        ProcWatch.killAll("100003");
      }
    }

    /** Kills and waits for the replacement {@code count} times; returns the last replacement's pid. */
    private static long killLoop(long pid, String marker, int count) throws Exception {
      long[] ignored = new long[count];
      return measure(pid, marker, ignored);
    }

    private static long measure(long pid, String marker, long[] samples) throws Exception {
      long current = pid;
      for (int i = 0; i < samples.length; i++) {
        TimeUnit.MILLISECONDS.sleep(50);
        long since = ProcWatch.lastPid();
        long start = System.nanoTime();
        ProcessHandle.of(current).ifPresent(ProcessHandle::destroyForcibly);
        current = ProcWatch.await(marker, since, TimeUnit.SECONDS.toNanos(30));
        samples[i] = System.nanoTime() - start;
      }
      return current;
    }
  }

  /** A site file of 100 process nodes over 2 hosts, applied: wall time until all are RUNNING. */
  static final class Apply100 implements Benchmark {
    public String name() {
      return "apply-100";
    }

    public String description() {
      return "apply of a site file with 100 process nodes over 2 hosts -> all RUNNING, wall time (median of 5, after 3 "
          + "warm-up rounds); target <= 300 ms";
    }

    public void run(Report report) throws Exception {
      Path work = Files.createTempDirectory("shepherd-bench-apply-");
      Path full = work.resolve("site-100.conf");
      Path empty = work.resolve("site-0.conf");
      StringBuilder site = new StringBuilder("hosts {\n");
      for (String host : List.of("bench-b", "bench-c")) {
        site.append("  ").append(host).append(".groups.procs.nodes {\n");
        for (int i = 0; i < 50; i++) {
          site.append("    p").append(i).append(" { command = [\"sleep\", \"100004\"] }\n");
        }
        site.append("  }\n");
      }
      Files.writeString(full, site.append("}\n").toString());
      Files.writeString(empty, "hosts { bench-b.groups.idle.nodes {} }\n");
      try (BenchCluster cluster = new BenchCluster(name(), processConfig(work))) {
        long[] walls = new long[5];
        for (int round = -3; round < walls.length; round++) {
          long start = System.nanoTime();
          cluster.client.apply(full).toCompletableFuture().join();
          long applied = System.nanoTime() - start;
          awaitRunning(cluster, 100);
          long wall = System.nanoTime() - start;
          if (round >= 0) {
            walls[round] = wall;
          }
          Report.note("round " + round + ": applied in " + applied / 1_000_000 + " ms, all RUNNING after " + wall / 1_000_000 + " ms");
          cluster.client.apply(empty).toCompletableFuture().join();
          cluster.await("the 100 processes gone", s -> s.nodes().stream().noneMatch(n -> n.path().group().equals("procs")));
        }
        long[] sorted = walls.clone();
        Arrays.sort(sorted);
        report.figure("wall.median", sorted[2] / 1e6, "ms");
        report.figure("wall.best", sorted[0] / 1e6, "ms");
        report.figure("wall.worst", sorted[4] / 1e6, "ms");
      } finally {
        ProcWatch.killAll("100004");
      }
    }

    private static void awaitRunning(BenchCluster cluster, int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (System.nanoTime() < deadline) {
        ClusterStatus status = cluster.client.status().toCompletableFuture().join();
        if (status.nodes().stream().filter(n -> n.path().group().equals("procs") && n.state() == NodeState.RUNNING).count() == count) {
          return;
        }
        TimeUnit.MILLISECONDS.sleep(10);
      }
      throw new IllegalStateException("the 100 process nodes did not all run within 2 minutes");
    }
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

  /** Finds new processes by their command line, through /proc. */
  static final class ProcWatch {
    private ProcWatch() {}

    /** The last pid the kernel handed out (the last field of /proc/loadavg). */
    static long lastPid() throws IOException {
      String loadavg = Files.readString(Path.of("/proc/loadavg")).trim();
      return Long.parseLong(loadavg.substring(loadavg.lastIndexOf(' ') + 1));
    }

    /**
     * Waits until a process with {@code marker} as an argument and a pid handed out after
     * {@code since} exists ({@code since} 0: any such process). A new pid whose command line does
     * not match yet (forked, not yet exec'd) is checked again until it matches or ends.
     */
    static long await(String marker, long since, long timeoutNanos) throws IOException {
      long deadline = System.nanoTime() + timeoutNanos;
      byte[] wanted = marker.getBytes(StandardCharsets.US_ASCII);
      if (since == 0) {
        while (System.nanoTime() < deadline) {
          for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
            if (matches(p.pid(), wanted)) {
              return p.pid();
            }
          }
        }
        throw new IllegalStateException("no process with '" + marker + "' appeared");
      }
      long checked = since;
      Set<Long> pending = new LinkedHashSet<>();
      while (System.nanoTime() < deadline) {
        for (Iterator<Long> it = pending.iterator(); it.hasNext(); ) {
          long pid = it.next();
          int state = check(pid, wanted);
          if (state == 1) {
            return pid;
          } else if (state < 0) {
            it.remove();
          }
        }
        long last = lastPid();
        for (long pid = checked + 1; pid <= last; pid++) {
          int state = check(pid, wanted);
          if (state == 1) {
            return pid;
          } else if (state == 0 && pending.size() < 256) {
            pending.add(pid);
          }
        }
        checked = Math.max(checked, last);
        // A short park, not a pure spin: the machine has 2 cores, and a spinning watcher would
        // slow down what it watches. Resolution is about 0.15 ms.
        LockSupport.parkNanos(100_000);
      }
      throw new IllegalStateException("no process with '" + marker + "' appeared");
    }

    /** 1: the marked program runs in it; 0: a process that may still exec; -1: gone, or a thread. */
    private static int check(long pid, byte[] wanted) {
      if (matches(pid, wanted)) {
        return 1;
      }
      try {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
          if (line.startsWith("Tgid:")) {
            return Long.parseLong(line.substring(5).trim()) == pid ? 0 : -1;
          }
        }
      } catch (IOException | RuntimeException e) {
        return -1;
      }
      return -1;
    }

    /**
     * True if the process runs the marked program itself: {@code sleep} (argv[0]) with the marker as
     * an argument. A launcher that carries the marker in its own arguments (Shepherd's
     * {@code setsid /usr/bin/sleep N}) does not count until it has exec'd {@code sleep}: every
     * contender is timed to the same event.
     */
    private static boolean matches(long pid, byte[] wanted) {
      try {
        byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        String[] args = new String(cmdline, StandardCharsets.US_ASCII).split("\0");
        String marker = new String(wanted, StandardCharsets.US_ASCII);
        return args.length >= 2 && (args[0].equals("sleep") || args[0].endsWith("/sleep")) && List.of(args).subList(1, args.length)
            .contains(marker);
      } catch (IOException e) {
        return false; // not (yet, or any more) a process
      }
    }

    static void killAll(String marker) {
      ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(" " + marker)).orElse(false))
          .forEach(ProcessHandle::destroyForcibly);
    }
  }
}
