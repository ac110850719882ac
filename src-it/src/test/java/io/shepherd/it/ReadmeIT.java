package io.shepherd.it;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.client.ShepherdClient;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The README's Java examples cannot rot: each is compiled as written, and the client example run against a real cluster. */
class ReadmeIT {

  static final Path README = Path.of(System.getProperty("user.dir")).getParent().resolve("README.md");
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.create("readme", Map.of("shepherd.host.process.allowed.0", "/bin/sh"));
    cluster.start("daq1", "manager", "host");
    ShepherdClient client = cluster.client(Duration.ofSeconds(30));
    TestCluster.awaitHostsUp(client, List.of("daq1"));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The README's complete Java programs: the code blocks that declare a public class. */
  static Map<String, String> examples() throws Exception {
    Map<String, String> classes = new LinkedHashMap<>();
    Matcher block = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
    while (block.find()) {
      Matcher name = Pattern.compile("public (?:final )?class (\\w+)").matcher(block.group(1));
      if (name.find()) {
        classes.put(name.group(1), block.group(1));
      }
    }
    return classes;
  }

  @Test
  void theJavaExamplesCompileAndTheClientExampleRunsAgainstACluster() throws Exception {
    Map<String, String> examples = examples();
    assertEquals(List.of("Example", "Thermometer"), List.copyOf(examples.keySet()), "the README's complete Java programs");
    Path dir = Files.createTempDirectory("readme-");
    List<String> files = new ArrayList<>();
    for (Map.Entry<String, String> example : examples.entrySet()) {
      Path file = dir.resolve(example.getKey() + ".java");
      Files.writeString(file, example.getValue());
      files.add(file.toString());
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    List<String> args = new ArrayList<>(List.of("-cp", System.getProperty("java.class.path"), "-d", dir.toString()));
    args.addAll(files);
    assertEquals(0, javac.run(null, null, errors, args.toArray(String[]::new)), () -> "the README's examples do not compile: " + errors);

    Process example = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dshepherd.client.api.0=" + cluster.apiUrls().get(0), "-Dshepherd.client.call-timeout=30s",
        "-cp", dir + File.pathSeparator + System.getProperty("java.class.path"), "Example")
        .redirectErrorStream(true).start();
    String out = new String(example.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(example.waitFor(120, TimeUnit.SECONDS), "the example ended");
    assertEquals(0, example.exitValue(), out);
    assertTrue(out.contains("cannot start daq1/acq/sine: it is CONFIGURED; from CONFIGURED only initialize, close are allowed"), out);
    assertTrue(out.contains("daq1/acq/driver") && out.contains("driver ready"), "the process's output, through the log stream: " + out);
    assertTrue(out.contains(" nodes"), out);
  }
}
