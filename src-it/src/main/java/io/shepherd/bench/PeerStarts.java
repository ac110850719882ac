package io.shepherd.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * supervisord and pm2 starting {@code count} processes ({@code sleep MARKER}) at once, each by one
 * call of its own API to a daemon that is already up: wall time from the call to every program's
 * own process existing, the same event as Shepherd's. 3 warm-up rounds, then {@code rounds}; between
 * rounds every process is stopped and gone.
 */
final class PeerStarts {

  private static final int WARM_UP = 3;

  private PeerStarts() {}

  /** supervisord's median in nanoseconds, or -1 if it is not available. */
  static long supervisord(Report report, Path dir, String marker, int count, int rounds) throws Exception {
    String supervisord = Peers.supervisord();
    if (supervisord == null) {
      return -1;
    }
    Files.createDirectories(dir);
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    List<String> lines = new ArrayList<>(List.of("[inet_http_server]", "port=127.0.0.1:" + port));
    lines.addAll(Peers.supervisordSections(dir));
    for (int i = 0; i < count; i++) {
      lines.addAll(List.of("[program:p" + i + "]", "command=/usr/bin/sleep " + marker, "autostart=false", "autorestart=false",
          "startsecs=0"));
    }
    Path conf = dir.resolve("supervisord.conf");
    Files.write(conf, lines);
    Process daemon = new ProcessBuilder(supervisord, "-c", conf.toString()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    HttpClient http = HttpClient.newHttpClient();
    URI rpc = URI.create("http://127.0.0.1:" + port + "/RPC2");
    try {
      long ready = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!call(http, rpc, "supervisor.getState", "")) {
        if (System.nanoTime() > ready) {
          throw new IllegalStateException("supervisord did not answer within 60 s; see " + dir.resolve("supervisord.log"));
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
      long[] walls = new long[rounds];
      for (int round = -WARM_UP; round < rounds; round++) {
        long since = ProcWatch.lastPid();
        long start = System.nanoTime();
        call(http, rpc, "supervisor.startAllProcesses", "<param><value><boolean>0</boolean></value></param>");
        ProcWatch.awaitAll(marker, since, count, TimeUnit.MINUTES.toNanos(2));
        long wall = System.nanoTime() - start;
        if (round >= 0) {
          walls[round] = wall;
        }
        Report.note("supervisord round " + round + ": every process existed after " + wall / 1_000_000 + " ms");
        call(http, rpc, "supervisor.stopAllProcesses", "<param><value><boolean>1</boolean></value></param>");
        ProcWatch.awaitNone(marker, TimeUnit.MINUTES.toNanos(1));
      }
      return ProcessBenchmarks.medians(report, "supervisord", walls);
    } finally {
      daemon.destroy();
      if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
        daemon.destroyForcibly();
      }
      ProcWatch.killAll(marker);
    }
  }

  /** One XML-RPC call; true if answered 200 without a fault. */
  private static boolean call(HttpClient http, URI rpc, String method, String params) throws InterruptedException {
    String body = "<?xml version=\"1.0\"?><methodCall><methodName>" + method + "</methodName><params>" + params
        + "</params></methodCall>";
    try {
      HttpResponse<String> answer = http.send(HttpRequest.newBuilder(rpc).timeout(Duration.ofMinutes(1))
          .header("Content-Type", "text/xml").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      return answer.statusCode() == 200 && !answer.body().contains("<fault>");
    } catch (IOException e) {
      return false;
    }
  }

  /** Says ready, then starts {@code ARGV[1]} processes {@code sleep ARGV[2]} with posix_spawn, each in a session of its own, once "go" comes in (none if its stdin closes first). */
  static final String SPAWN_FLOOR = String.join("\n",
      "import os, sys",
      "count, marker = int(sys.argv[1]), sys.argv[2]",
      "print('ready', flush=True)",
      "if sys.stdin.readline().strip() != 'go':",
      "    sys.exit(0)",
      "for _ in range(count):",
      "    os.posix_spawn('/usr/bin/sleep', ['sleep', marker], {}, setsid=True)");

  /**
   * The floor: the machine's own cost of starting {@code count} processes, as {@code hosts}
   * Python processes already running (one per host), each spawning its share one after another
   * with posix_spawn, with nothing else to do. Median in nanoseconds, or -1 without python3.
   */
  static long spawnFloor(Report report, String marker, int count, int hosts, int rounds) throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
      Report.note("no /usr/bin/python3: the spawn floor is not measured");
      return -1;
    }
    long[] walls = new long[rounds];
    List<Process> spawners = new ArrayList<>();
    try {
      for (int round = -WARM_UP; round < rounds; round++) {
        spawners.clear();
        for (int i = 0; i < hosts; i++) {
          spawners.add(new ProcessBuilder("/usr/bin/python3", "-c", SPAWN_FLOOR, Integer.toString(count / hosts), marker)
              .redirectErrorStream(true).start());
        }
        for (Process spawner : spawners) {
          String line = new BufferedReader(new InputStreamReader(spawner.getInputStream(), StandardCharsets.US_ASCII)).readLine();
          if (!"ready".equals(line)) {
            throw new IllegalStateException("the spawn floor's python3 said " + line + " instead of ready");
          }
        }
        long since = ProcWatch.lastPid();
        long start = System.nanoTime();
        for (Process spawner : spawners) {
          try (Writer go = new OutputStreamWriter(spawner.getOutputStream(), StandardCharsets.US_ASCII)) {
            go.write("go\n");
          }
        }
        ProcWatch.awaitAll(marker, since, count, TimeUnit.MINUTES.toNanos(2));
        long wall = System.nanoTime() - start;
        if (round >= 0) {
          walls[round] = wall;
        }
        Report.note("floor round " + round + ": every process existed after " + wall / 1_000_000 + " ms");
        for (Process spawner : spawners) {
          spawner.waitFor(1, TimeUnit.MINUTES);
        }
        ProcWatch.killAll(marker);
        ProcWatch.awaitNone(marker, TimeUnit.MINUTES.toNanos(1));
      }
    } finally {
      spawners.forEach(Process::destroyForcibly);
      ProcWatch.killAll(marker);
    }
    return ProcessBenchmarks.medians(report, "floor", walls);
  }

  /** pm2's median in nanoseconds, or -1 if it is not available. */
  static long pm2(Report report, Path dir, String marker, int count, int rounds) throws Exception {
    Path install = Peers.pm2();
    if (install == null) {
      return -1;
    }
    Files.createDirectories(dir);
    Path script = dir.resolve("start-apps.js");
    Files.writeString(script, String.join("\n",
        "const pm2 = require(process.argv[2]);",
        "const apps = Array.from({length: +process.argv[3]}, (_, i) => ({name: 'p' + i, script: '/usr/bin/sleep', "
            + "args: process.argv[4], interpreter: 'none', autorestart: false}));",
        "pm2.connect(err => {",
        "  if (err) { console.log('error ' + err); process.exit(2); }",
        "  console.log('ready');",
        "  require('readline').createInterface({input: process.stdin}).on('line', line => {",
        "    if (line === 'start') pm2.start({apps}, e => console.log(e ? 'error ' + e : 'started'));",
        "    else if (line === 'delete') pm2.delete('all', e => console.log(e ? 'error ' + e : 'deleted'));",
        "    else if (line === 'quit') pm2.killDaemon(() => { pm2.disconnect(); process.exit(0); });",
        "  });",
        "});", ""));
    ProcessBuilder builder = new ProcessBuilder("node", script.toString(), install.resolve("node_modules/pm2").toString(),
        Integer.toString(count), marker).redirectError(dir.resolve("client.err").toFile());
    builder.environment().put("PM2_HOME", dir.resolve("home").toString());
    Process client = builder.start();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
         Writer in = client.outputWriter(StandardCharsets.UTF_8)) {
      expect(out, "ready");
      long[] walls = new long[rounds];
      for (int round = -WARM_UP; round < rounds; round++) {
        long since = ProcWatch.lastPid();
        long start = System.nanoTime();
        send(in, "start");
        ProcWatch.awaitAll(marker, since, count, TimeUnit.MINUTES.toNanos(2));
        long wall = System.nanoTime() - start;
        if (round >= 0) {
          walls[round] = wall;
        }
        Report.note("pm2 round " + round + ": every process existed after " + wall / 1_000_000 + " ms");
        expect(out, "started");
        send(in, "delete");
        expect(out, "deleted");
        ProcWatch.awaitNone(marker, TimeUnit.MINUTES.toNanos(1));
      }
      send(in, "quit");
      client.waitFor(30, TimeUnit.SECONDS);
      return ProcessBenchmarks.medians(report, "pm2", walls);
    } finally {
      client.destroyForcibly();
      ProcessBuilder kill = new ProcessBuilder(Peers.pm2Command(install), "kill").redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      kill.environment().put("PM2_HOME", dir.resolve("home").toString());
      kill.start().waitFor(60, TimeUnit.SECONDS);
      ProcWatch.killAll(marker);
    }
  }

  private static void send(Writer in, String line) throws IOException {
    in.write(line + "\n");
    in.flush();
  }

  private static void expect(BufferedReader out, String wanted) throws IOException {
    String line = out.readLine();
    if (!wanted.equals(line)) {
      throw new IllegalStateException("pm2 client said " + line + ", not " + wanted);
    }
  }
}
