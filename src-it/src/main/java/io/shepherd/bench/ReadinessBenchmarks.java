package io.shepherd.bench;

import io.shepherd.client.EventSubscription;
import io.shepherd.client.LogSubscription;
import io.shepherd.protocol.Event;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Readiness over systemd's notify protocol: how long a READY=1 takes to reach an API subscriber,
 * and what a chain of dependent nodes costs above the time its programs take to become ready. The
 * programs send READY=1 themselves over the host's notify socket, as a program linked with
 * libsystemd would: perl (in every Debian) for the latency, and for the chain a small C program
 * built by the machine's {@code cc} (perl where there is none), which starts in well under a
 * millisecond as a program "ready 50 ms after its start" must.
 */
final class ReadinessBenchmarks {

  private ReadinessBenchmarks() {}

  static List<Benchmark> all() {
    return List.of(new NotifyLatency(), new ReadyChain());
  }

  /**
   * Sleeps ARGV[1] seconds, writes the time to ARGV[0] (if not "-"), sends READY=1, then sleeps; with
   * ARGV[2] set, exits where it would send instead (the program alone, for the chain's comparison).
   * No module is loaded before the sleep ends but Time::HiRes where a time is written: Socket alone
   * costs perl ~10 ms here, which would put each program's readiness ~15-20 ms after the 50 ms it
   * is meant to take. So AF_UNIX (1) and SOCK_DGRAM (2) are Linux's numbers, and the address is
   * packed by hand as a sockaddr_un: the family, then the path (NUL-ended) or the abstract name.
   */
  static final String READY_AFTER = """
      my ($out, $delay, $alone) = @ARGV;
      if ($out ne "-") { require Time::HiRes; }
      select(undef, undef, undef, $delay);
      socket(my $s, 1, 2, 0) or die "socket: $!";
      exit 0 if $alone;
      my $address = $ENV{NOTIFY_SOCKET};
      if ($address =~ s/^@/\\0/) {} else { $address .= "\\0"; }
      my $sent = $out ne "-" ? Time::HiRes::time() : 0;
      send($s, "READY=1", 0, pack("S", 1) . $address) or die "send: $!";
      if ($out ne "-") { open(my $f, ">", $out) or die; printf $f "%.6f\\n", $sent; close($f); }
      sleep(100000);
      """;

  /**
   * The chain's program where a C compiler is at hand: sleeps ARGV[1] seconds, then sends READY=1
   * (with ARGV[2] set, exits there instead), then waits. It starts in well under a millisecond, so
   * it is ready 50 ms after its start as the issue defines it; perl takes ~5-7 ms to start here.
   */
  static final String READY_AFTER_C = """
      #include <stddef.h>
      #include <stdlib.h>
      #include <string.h>
      #include <sys/socket.h>
      #include <sys/un.h>
      #include <time.h>
      #include <unistd.h>

      int main(int argc, char **argv) {
        double delay = atof(argv[1]);
        struct timespec sleep = {(time_t) delay, (long) ((delay - (time_t) delay) * 1e9)};
        nanosleep(&sleep, NULL);
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (s < 0) return 2;
        if (argc > 2) return 0;
        const char *path = getenv("NOTIFY_SOCKET");
        struct sockaddr_un address;
        memset(&address, 0, sizeof address);
        address.sun_family = AF_UNIX;
        size_t length = path == NULL ? 0 : strlen(path);
        if (length == 0 || length >= sizeof address.sun_path) return 3;
        memcpy(address.sun_path, path, length);
        if (address.sun_path[0] == '@') address.sun_path[0] = 0;
        if (sendto(s, "READY=1", 7, 0, (struct sockaddr *) &address, offsetof(struct sockaddr_un, sun_path) + length) < 0) return 4;
        for (;;) pause();
      }
      """;

  /** The chain's program, compiled into {@code dir} by the machine's {@code cc}; empty without one (or if it fails). */
  static Optional<Path> compileReadyAfter(Path dir) throws IOException, InterruptedException {
    Path source = Files.writeString(dir.resolve("ready-after.c"), READY_AFTER_C);
    Path program = dir.resolve("ready-after");
    try {
      Process cc = new ProcessBuilder("cc", "-O2", "-o", program.toString(), source.toString()).redirectErrorStream(true).start();
      String output = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (cc.waitFor() != 0) {
        Report.note("cc could not build the chain's program; perl instead: " + output.strip());
        return Optional.empty();
      }
      return Optional.of(program);
    } catch (IOException noCompiler) {
      Report.note("no cc on this machine: the chain's programs are perl, which adds its own start (~5-7 ms) to each link");
      return Optional.empty();
    }
  }

  /** The perl program that writes the time it sends READY=1 to {@code out} ("-": nowhere), without its delay argument. */
  static List<String> perl(String out) {
    return List.of("/usr/bin/perl", "-e", READY_AFTER, out);
  }

  /** A process node running {@code program} with its delay argument {@code seconds}, ready when it says READY=1. */
  static NodeSpec readyAfter(List<String> program, double seconds) {
    List<String> command = new ArrayList<>(program);
    command.add(Double.toString(seconds));
    return NodeSpec.process(ProcessSpec.of(command.toArray(String[]::new))).withReadiness(Probe.of(Probe.Type.NOTIFY));
  }

  /** READY=1 sent by the program -> its node RUNNING, as an API subscriber sees it (the events' SSE stream). */
  static final class NotifyLatency implements Benchmark {
    static final int SAMPLES = 40;
    /** Starts before the samples: the JIT has compiled the path by then, as in a cluster that has run a while. */
    static final int WARM_UP = 100;
    /** The samples of earlier runs of this benchmark: the starts after the first 5 of the node. */
    static final int COLD_FROM = 5;

    public String name() {
      return "notify-latency";
    }

    public String description() {
      return "READY=1 sent by a process node's program -> the STARTING->RUNNING event received by an API subscriber, p50/p99 over "
          + SAMPLES + " starts after " + WARM_UP + " to warm up; target p50 <= 2 ms (.cold: starts " + (COLD_FROM + 1) + "-"
          + (COLD_FROM + SAMPLES) + " of the node, as earlier runs measured). Beside it, where the time goes: -> the node's host made "
          + "it RUNNING (.host: the time of its 'ready' log record), -> the Manager published the event (.manager: the event's own "
          + "time); the host -> Manager part (.host-to-manager) beside the floor of one Akka remote hop on this machine "
          + "(.floor.artery-hop: half the round trip of a lone ping between two bare JVMs over Artery TCP); the floor of the API's "
          + "part (.floor.sse-hop: an event offered to the API's own SSE stream in a bare Akka HTTP server -> its line read by a "
          + "plain reader in another JVM); .floor.path.p50: the two floors' p50s added, the least the host -> Manager -> "
          + "subscriber path costs here";
    }

    public void run(Report report) throws Exception {
      Path work = Files.createTempDirectory("shepherd-bench-notify-");
      Path sent = work.resolve("sent");
      try (BenchCluster cluster = new BenchCluster(name(), ProcessBenchmarks.processConfig(work.resolve("hosts")))) {
        cluster.client.createGroup("bench-b/ready", true).toCompletableFuture().join();
        BlockingQueue<Instant[]> running = new LinkedBlockingQueue<>();
        BlockingQueue<Long> hostReady = new LinkedBlockingQueue<>();
        try (LogSubscription logs = cluster.client.logs().subscribe(new LogFilter("bench-b/ready/n", null, null), record -> {
          if (record.message().startsWith("ready, ")) {
            hostReady.add(record.micros());
          }
        });
             EventSubscription events = cluster.client.events().subscribe(Set.of(Event.NODE), "bench-b/ready/n", event -> {
          Instant at = Instant.now();
          if (event.state() == NodeState.RUNNING && event.previous() == NodeState.STARTING) {
            running.add(new Instant[] {at, event.at()});
          }
        })) {
          cluster.client.createNode("bench-b/ready/n", readyAfter(perl(sent.toString()), 0.2), NodeState.STOPPED).toCompletableFuture().join();
          long[] samples = new long[SAMPLES];
          long[] cold = new long[SAMPLES];
          long[] atHost = new long[SAMPLES];
          long[] atManager = new long[SAMPLES];
          for (int i = -WARM_UP; i < SAMPLES; i++) {
            Files.deleteIfExists(sent);
            cluster.client.requestAndAwait("bench-b/ready/n", NodeState.RUNNING).toCompletableFuture().join();
            Instant[] times = running.poll(60, TimeUnit.SECONDS);
            if (times == null) {
              throw new IllegalStateException("no STARTING -> RUNNING event within 60 s");
            }
            Instant seen = times[0];
            double sentAt = Double.parseDouble(Files.readString(sent).trim());
            long latency = Math.round((seen.getEpochSecond() + seen.getNano() / 1e9 - sentAt) * 1e9);
            Long hostMicros = hostReady.poll(60, TimeUnit.SECONDS); // after the log server's reorder window
            if (hostMicros == null) {
              throw new IllegalStateException("no 'ready' log record of the node within 60 s");
            }
            int start = i + WARM_UP;
            if (start >= COLD_FROM && start < COLD_FROM + SAMPLES) {
              cold[start - COLD_FROM] = latency;
            }
            if (i >= 0) {
              samples[i] = latency;
              atHost[i] = Math.round((hostMicros / 1e6 - sentAt) * 1e9);
              atManager[i] = Math.round((times[1].getEpochSecond() + times[1].getNano() / 1e9 - sentAt) * 1e9);
            }
            cluster.client.requestAndAwait("bench-b/ready/n", NodeState.STOPPED).toCompletableFuture().join();
          }
          report.latencies("shepherd", samples);
          report.latencies("shepherd.cold", cold);
          report.latencies("host", atHost);
          report.latencies("manager", atManager);
          long[] hop = new long[SAMPLES];
          Arrays.setAll(hop, i -> atManager[i] - atHost[i]);
          report.latencies("host-to-manager", hop);
          double artery = report.latencies("floor.artery-hop", ArteryFloor.hops(ArteryFloor.roundTrips(400)));
          double sse = report.latencies("floor.sse-hop", SseFloor.hops(400));
          report.figure("floor.path.p50", (artery + sse) / 1e6, "ms");
        }
      }
    }
  }

  /** A chain of 10 process nodes across two hosts, each ready 50 ms after its start: up all -> the last one RUNNING. */
  static final class ReadyChain implements Benchmark {
    static final int LENGTH = 10;
    static final int ROUNDS = 7;
    /** Rounds before the measured ones: the JIT has compiled the path by then, as in a cluster that has run a while. */
    static final int WARM_UP = 10;

    public String name() {
      return "ready-chain";
    }

    public String description() {
      return "a chain of " + LENGTH + " process nodes on two hosts, each depending on the one before and ready 50 ms after its "
          + "start (a C program built by cc, .program-is-c 1; perl without cc, 0): up -> the last RUNNING event at an API subscriber, median of " + ROUNDS + " after " + WARM_UP + " to warm up; "
          + "overhead above the 500 ms floor (target <= 50 ms), and above the same programs run one after another without "
          + "Shepherd (.programs-alone: by a shell loop); beside it, one bare Akka remote hop (each link crosses two), and .floor.overhead: the least overhead of a "
          + "chain whose links cross two remote hops each on this machine (the programs' own time above 500 ms, plus two bare hops' "
          + "p50 per link; the up call and the last event's way to the subscriber left out)";
    }

    public void run(Report report) throws Exception {
      Path work = Files.createTempDirectory("shepherd-bench-chain-");
      Optional<Path> compiled = compileReadyAfter(work);
      List<String> command = compiled.map(c -> List.of(c.toString())).orElse(perl("-"));
      report.figure("program-is-c", compiled.isPresent() ? 1 : 0, "bool");
      long programs = programsAlone(command);
      Map<String, String> config = ProcessBenchmarks.processConfig(work.resolve("hosts"));
      config.put("shepherd.host.process.allowed.2", work + "/*");
      try (BenchCluster cluster = new BenchCluster(name(), config)) {
        cluster.client.createGroup("bench-b/chain", true).toCompletableFuture().join();
        cluster.client.createGroup("bench-c/chain", true).toCompletableFuture().join();
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < LENGTH; i++) {
          String path = (i % 2 == 0 ? "bench-b" : "bench-c") + "/chain/n" + i;
          NodeSpec spec = readyAfter(command, 0.05);
          if (i > 0) {
            spec = spec.withDependsOn(List.of(NodePath.parse(paths.get(i - 1))));
          }
          cluster.client.createNode(path, spec, NodeState.STOPPED).toCompletableFuture().join();
          paths.add(path);
        }
        String last = paths.get(LENGTH - 1);
        BlockingQueue<Instant> lastRunning = new LinkedBlockingQueue<>();
        long[] walls = new long[ROUNDS];
        try (EventSubscription events = cluster.client.events().subscribe(Set.of(Event.NODE), last, event -> {
          Instant at = Instant.now();
          if (event.state() == NodeState.RUNNING) {
            lastRunning.add(at);
          }
        })) {
          for (int round = -WARM_UP; round < ROUNDS; round++) {
            lastRunning.clear();
            Instant start = Instant.now();
            cluster.client.up("bench-b/chain", "bench-c/chain").toCompletableFuture().join();
            Instant done = lastRunning.poll(5, TimeUnit.MINUTES);
            if (done == null) {
              throw new IllegalStateException("the last of the chain was not RUNNING within 5 min");
            }
            if (round >= 0) {
              walls[round] = Duration.between(start, done).toNanos();
            }
            cluster.client.down("bench-b/chain", "bench-c/chain").toCompletableFuture().join();
            cluster.await("the chain down", s -> s.nodes().stream()
                .filter(n -> n.path().toString().contains("/chain/")).allMatch(n -> n.state() == NodeState.STOPPED));
          }
        }
        long median = ProcessBenchmarks.median(walls);
        report.latencies("wall", walls);
        report.figure("floor", LENGTH * 50, "ms");
        report.figure("overhead", median / 1e6 - LENGTH * 50, "ms");
        report.figure("programs-alone", programs / 1e6, "ms");
        report.figure("overhead-above-programs", (median - programs) / 1e6, "ms");
        // Each link crosses two remote hops (host -> Manager: the dependency is ready; Manager -> host: start the next).
        double hop = report.latencies("floor.artery-hop", ArteryFloor.hops(ArteryFloor.roundTrips(400)));
        report.figure("floor.overhead", (programs - LENGTH * 50_000_000L + 2 * (LENGTH - 1) * hop) / 1e6, "ms");
      }
    }

    /**
     * The same programs, one after another, each to the point where it would send READY=1, without
     * Shepherd: run by a shell loop (fork, exec, wait: the least a parent can do, as the floor of
     * {@code process-restart}); its own start is included. Median of 5.
     */
    private static long programsAlone(List<String> command) throws Exception {
      long[] rounds = new long[5];
      for (int round = 0; round < rounds.length; round++) {
        String loop = "for i in " + String.join(" ", Collections.nCopies(LENGTH, "x")) + "; do \"$@\" 0.05 alone || exit 1; done";
        List<String> shell = new ArrayList<>(List.of("/bin/sh", "-c", loop, "sh"));
        shell.addAll(command);
        long start = System.nanoTime();
        Process programs = new ProcessBuilder(shell)
            .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (programs.waitFor() != 0) {
          throw new IllegalStateException("the programs alone failed (exit " + programs.exitValue() + ")");
        }
        rounds[round] = System.nanoTime() - start;
      }
      return ProcessBenchmarks.median(rounds);
    }
  }
}
