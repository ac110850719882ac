package io.shepherd.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The production code of every module (what src-it sees on its class path: protocol, host agent,
 * manager, member, client, CLI, and this harness) has no package cycle: jdeps lists the package dependencies, and a
 * strongly connected component of more than one package is a cycle.
 */
class PackageCyclesTest {

  private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.shepherd\\S*)\\s+->\\s+(io\\.shepherd\\S*)\\s");

  @Test
  void noPackageDependsOnItselfThroughOthers() {
    List<String> roots = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      Path path = Path.of(entry);
      boolean ours = Files.isDirectory(path) ? Files.isDirectory(path.resolve("io/shepherd")) && !entry.contains("test-classes")
          : path.getFileName().toString().startsWith("shepherd-") && !entry.endsWith("-tests.jar");
      if (ours) {
        roots.add(entry);
      }
    }
    assertTrue(roots.size() >= 6, "every module's classes: " + roots);
    Map<String, Set<String>> graph = dependencies(roots);
    assertTrue(graph.keySet().containsAll(Set.of("io.shepherd.manager", "io.shepherd.host.agent", "io.shepherd.client", "io.shepherd.cli")),
        "jdeps saw the modules: " + graph.keySet());
    assertEquals(List.of(), cycles(graph), "package cycles");
  }

  private static Map<String, Set<String>> dependencies(List<String> roots) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("no jdeps in this JDK"));
    List<String> args = new ArrayList<>(List.of("-verbose:package", "-filter:none", "--multi-release", "17"));
    args.addAll(roots);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), args.toArray(String[]::new));
    assertEquals(0, status, err.toString());
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find()) {
        graph.computeIfAbsent(m.group(1), p -> new TreeSet<>());
        if (!m.group(1).equals(m.group(2))) {
          graph.get(m.group(1)).add(m.group(2));
        }
      }
    }
    return graph;
  }

  /** Tarjan's strongly connected components of more than one package. */
  static List<Set<String>> cycles(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new HashSet<>();
    List<Set<String>> found = new ArrayList<>();
    for (String start : graph.keySet()) {
      if (!index.containsKey(start)) {
        connect(start, graph, index, low, stack, onStack, found);
      }
    }
    return found;
  }

  private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index, Map<String, Integer> low,
                              Deque<String> stack, Set<String> onStack, List<Set<String>> found) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        connect(w, graph, index, low, stack, onStack, found);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      Set<String> component = new TreeSet<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      if (component.size() > 1) {
        found.add(component);
      }
    }
  }

  @Test
  void theCycleFinderFindsACycle() {
    Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
    assertEquals(List.of(Set.of("a", "b", "c")), cycles(graph));
  }
}
