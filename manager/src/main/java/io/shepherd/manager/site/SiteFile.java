package io.shepherd.manager.site;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import io.shepherd.protocol.Autorestart;
import io.shepherd.protocol.DependencyFailure;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.Names;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import io.shepherd.protocol.RestartPolicy;
import io.shepherd.protocol.Site;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads a site file (OCS's site config): one HOCON file that declares hosts, their NodeGroups and
 * the nodes in each, with the state each node should be in.
 *
 * <pre>
 * hosts {
 *   daq1.groups.acq.nodes {
 *     sine     { type = sine, params { frequency = 5 }, target = up }
 *     recorder {
 *       command = ["/usr/bin/python3", "-u", "recorder.py", "--port", "${port:data}"]   # quoted: ${port:NAME} is Shepherd's
 *       env { OUT_DIR = /data }, working-dir = /opt/daq, stdin = off, stop-grace = 10s
 *       target = down, mode = auto, restart { max-restarts = 5, window = 1m }
 *     }
 *     calibrate { command = ["/opt/daq/calibrate"], autorestart = on-failure }   # a one-shot: done once it exits 0
 *     # autorestart = always (the default) | on-failure | never
 *     daq { command = ["/opt/daq/run"], readiness = notify, start-timeout = 30s    # RUNNING once it sends READY=1
 *           liveness { type = tcp, port = "${port:data}", period = 1s, timeout = 1s, failures = 3 } }
 *     # readiness / liveness: notify | tcp { port } | http { url } | command { command } | none; a Java node's readiness: explicit
 *     writer { command = ["/opt/daq/write"], depends-on = ["daq1/acq/daq", "any/analysis/counter"], on-dependency-failure = restart }
 *     # starts once every node it depends on is RUNNING (and ready), stops before them; keep (default) | restart | stop
 *     fft { command = ["/opt/daq/fft"], limits { memory = 512M, cpu = 1.5, pids = 256 } }   # needs the host's cgroups
 *   }
 *   any.groups.analysis.nodes { ... }     # a group Shepherd places on a host of its choice
 * }
 * </pre>
 *
 * The whole file is checked before anything is applied; every error is reported with the file and
 * line, and an unknown key is an error (a typo never passes silently).
 */
public final class SiteFile {

  /** The site file is wrong: every error, each with file and line. */
  public static final class Invalid extends IllegalArgumentException {
    private final List<String> errors;

    Invalid(String file, List<String> errors) {
      super("site file " + file + " has " + errors.size() + " error" + (errors.size() == 1 ? "" : "s") + "; nothing was applied:\n  "
          + String.join("\n  ", errors));
      this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
      return errors;
    }
  }

  private static final Set<String> NODE_KEYS = Set.of("type", "params", "command", "env", "working-dir", "stdin", "stop-grace",
      "target", "mode", "restart", "autorestart", "readiness", "liveness", "start-timeout", "depends-on",
      "on-dependency-failure", "limits");
  private static final Set<String> LIMIT_KEYS = Set.of("memory", "cpu", "pids");
  private static final Set<String> PROBE_KEYS = Set.of("type", "port", "url", "command", "period", "timeout", "failures");
  private static final Set<String> RESTART_KEYS = Set.of("min-backoff", "max-backoff", "jitter", "reset-after", "max-restarts", "window");
  /** Largest site file read. */
  public static final long MAX_SIZE = 4L * 1024 * 1024;

  /** The file's name in messages. */
  private final String file;
  private final List<String> errors = new ArrayList<>();

  private SiteFile(String file) {
    this.file = file;
  }

  /**
   * Reads and checks a site file.
   *
   * @param defaults the restart policy settings a node's partial {@code restart} block completes
   *     (shepherd.host.restart); null: a partial block is an error
   * @throws Invalid listing every error, each with the file and line
   */
  public static Site read(Path file, Config defaults) {
    SiteFile reader = new SiteFile(file.toString());
    String text = reader.readText(file);
    Site site = text == null ? null : reader.parse(text, defaults);
    if (!reader.errors.isEmpty()) {
      throw new Invalid(file.toString(), reader.errors);
    }
    return site;
  }

  /**
   * Checks the text of a site file, as a client sent it.
   *
   * @param source the file's name, for messages (file:line)
   * @throws Invalid listing every error, each with the file's name and line
   */
  public static Site parse(String text, String source, Config defaults) {
    SiteFile reader = new SiteFile(source);
    Site site = null;
    if (text.length() > MAX_SIZE) {
      reader.errors.add(source + ": larger than " + MAX_SIZE / 1024 / 1024 + " MiB; is it a site file?");
    } else if (text.indexOf('\0') >= 0) {
      reader.errors.add(source + ": not a text file (it holds NUL characters); a site file is HOCON text");
    } else {
      site = reader.parse(text, defaults);
    }
    if (!reader.errors.isEmpty()) {
      throw new Invalid(source, reader.errors);
    }
    return site;
  }

  private String readText(Path path) {
    try {
      if (Files.isDirectory(path)) {
        errors.add(file + ": is a directory, not a site file");
        return null;
      }
      if (!Files.isRegularFile(path)) {
        errors.add(file + ": no such file");
        return null;
      }
      if (Files.size(path) > MAX_SIZE) {
        errors.add(file + ": larger than " + MAX_SIZE / 1024 / 1024 + " MiB; is it a site file?");
        return null;
      }
      return Files.readString(path);
    } catch (CharacterCodingException | UncheckedIOException e) {
      errors.add(file + ": not a UTF-8 text file; a site file is HOCON text");
      return null;
    } catch (IOException e) {
      errors.add(file + ": cannot be read: " + e.getMessage());
      return null;
    }
  }

  private Site parse(String text, Config defaults) {
    Config config;
    try {
      config = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)
          .setOriginDescription(file).setAllowMissing(false)).resolve();
    } catch (ConfigException e) {
      errors.add(e.getMessage() + (text.contains("${port:") ? " (write ${port:NAME} inside quotes: \"${port:data}\")" : ""));
      return null;
    }
    errors.addAll(DuplicateKeys.find(file, text));
    for (String key : config.root().keySet()) {
      if (!key.equals("hosts")) {
        errors.add(at(config.root().get(key)) + "unknown key '" + key + "'; a site file declares hosts { HOST { groups { GROUP "
            + "{ nodes { NODE { ... } } } } } }");
      }
    }
    if (!config.hasPath("hosts")) {
      if (errors.isEmpty()) {
        errors.add(file + ": declares no hosts; a site file declares hosts { HOST { groups { GROUP { nodes { ... } } } } }");
      }
      return null;
    }
    List<Site.Group> groups = new ArrayList<>();
    ConfigObject hosts = object(config.root().get("hosts"), "hosts");
    if (hosts == null) {
      return null;
    }
    for (Map.Entry<String, ConfigValue> host : sorted(hosts)) {
      String placement = host.getKey();
      try {
        Names.checkPlacement(placement);
      } catch (IllegalArgumentException e) {
        errors.add(at(host.getValue()) + e.getMessage());
        continue;
      }
      ConfigObject hostObject = object(host.getValue(), "host " + placement);
      if (hostObject == null) {
        continue;
      }
      for (String key : hostObject.keySet()) {
        if (!key.equals("groups")) {
          errors.add(at(hostObject.get(key)) + "unknown key '" + key + "' in host " + placement + "; a host declares groups { ... }");
        }
      }
      ConfigObject groupsObject = hostObject.containsKey("groups") ? object(hostObject.get("groups"), "groups of " + placement) : null;
      if (groupsObject == null) {
        continue;
      }
      for (Map.Entry<String, ConfigValue> group : sorted(groupsObject)) {
        Site.Group parsed = group(placement, group.getKey(), group.getValue(), defaults);
        if (parsed != null) {
          groups.add(parsed);
        }
      }
    }
    if (!errors.isEmpty()) {
      return null;
    }
    try {
      return new Site(file.substring(file.lastIndexOf('/') + 1), groups);
    } catch (IllegalArgumentException e) {
      errors.add(file + ": " + e.getMessage());
      return null;
    }
  }

  private Site.Group group(String placement, String name, ConfigValue value, Config defaults) {
    GroupPath path;
    try {
      path = new GroupPath(placement, name);
    } catch (IllegalArgumentException e) {
      errors.add(at(value) + e.getMessage());
      return null;
    }
    ConfigObject object = object(value, "group " + path);
    if (object == null) {
      return null;
    }
    for (String key : object.keySet()) {
      if (!key.equals("nodes")) {
        errors.add(at(object.get(key)) + "unknown key '" + key + "' in group " + path + "; a group declares nodes { ... }");
      }
    }
    List<Site.Node> nodes = new ArrayList<>();
    ConfigObject nodesObject = object.containsKey("nodes") ? object(object.get("nodes"), "nodes of " + path) : null;
    if (nodesObject != null) {
      for (Map.Entry<String, ConfigValue> node : sorted(nodesObject)) {
        Site.Node parsed = node(path, node.getKey(), node.getValue(), defaults);
        if (parsed != null) {
          nodes.add(parsed);
        }
      }
    }
    return new Site.Group(path, nodes);
  }

  private Site.Node node(GroupPath group, String name, ConfigValue value, Config defaults) {
    NodePath path;
    try {
      path = group.node(name);
    } catch (IllegalArgumentException e) {
      errors.add(at(value) + e.getMessage());
      return null;
    }
    ConfigObject object = object(value, "node " + path);
    if (object == null) {
      return null;
    }
    int before = errors.size();
    for (String key : object.keySet()) {
      if (!NODE_KEYS.contains(key)) {
        errors.add(at(object.get(key)) + "unknown key '" + key + "' in node " + path + "; a node has " + new TreeSet<>(NODE_KEYS));
      }
    }
    Config c = object.toConfig();
    String where = at(value);
    try {
      String type = c.hasPath("type") ? c.getString("type") : c.hasPath("command") ? NodeSpec.PROCESS : null;
      if (type == null) {
        errors.add(where + "node " + path + " has neither a type nor a command");
        return null;
      }
      ProcessSpec process = null;
      if (NodeSpec.PROCESS.equals(type) || c.hasPath("command")) {
        for (String javaOnly : List.of("params")) {
          if (c.hasPath(javaOnly)) {
            errors.add(at(object.get(javaOnly)) + "node " + path + " is a process: it has a command and env, not " + javaOnly);
          }
        }
        if (!c.hasPath("command")) {
          errors.add(where + "node " + path + " is of type process but has no command");
          return null;
        }
        Map<String, String> env = c.hasPath("env") ? strings(c.getObject("env"), "env of " + path) : Map.of();
        process = new ProcessSpec(c.getStringList("command"), env, c.hasPath("working-dir") ? c.getString("working-dir") : null,
            c.hasPath("stdin") && c.getBoolean("stdin"),
            c.hasPath("stop-grace") ? c.getDuration("stop-grace") : ProcessSpec.DEFAULT_STOP_GRACE,
            c.hasPath("limits") ? limits(c.getConfig("limits"), path) : null);
      } else {
        for (String processOnly : List.of("env", "working-dir", "stdin", "stop-grace", "limits")) {
          if (c.hasPath(processOnly)) {
            errors.add(at(object.get(processOnly)) + "node " + path + " is a Java node (" + type + "): " + processOnly
                + " belongs to process nodes");
          }
        }
      }
      Map<String, String> params = c.hasPath("params") ? strings(c.getObject("params"), "params of " + path) : Map.of();
      Mode mode = c.hasPath("mode") ? mode(c.getString("mode")) : Mode.AUTO;
      RestartPolicy restart = c.hasPath("restart") ? restart(c.getConfig("restart"), path, defaults) : null;
      Autorestart autorestart = c.hasPath("autorestart") ? Autorestart.of(c.getString("autorestart")) : Autorestart.ALWAYS;
      NodeState target = c.hasPath("target") ? NodeState.parse(c.getString("target")) : NodeState.RUNNING;
      Probe readiness = probe(object, "readiness", path);
      Probe liveness = probe(object, "liveness", path);
      Duration startTimeout = c.hasPath("start-timeout") ? c.getDuration("start-timeout") : null;
      List<NodePath> dependsOn = c.hasPath("depends-on") ? c.getStringList("depends-on").stream().map(NodePath::parse).toList() : null;
      DependencyFailure onFailure = c.hasPath("on-dependency-failure") ? DependencyFailure.of(c.getString("on-dependency-failure")) : null;
      if (errors.size() > before) {
        return null;
      }
      return new Site.Node(path, new NodeSpec(type, params, mode, restart, process, autorestart, readiness, liveness, startTimeout,
          dependsOn, onFailure), target);
    } catch (ConfigException e) {
      errors.add(e.getMessage());
    } catch (IllegalArgumentException e) {
      errors.add(where + "node " + path + ": " + e.getMessage());
    }
    return null;
  }

  /** A node's {@code readiness} or {@code liveness}: a type name ({@code readiness = notify}) or a block; null if absent. */
  private Probe probe(ConfigObject node, String key, NodePath path) {
    ConfigValue value = node.get(key);
    if (value == null) {
      return null;
    }
    if (value.valueType() == ConfigValueType.STRING) {
      return Probe.of(Probe.Type.of((String) value.unwrapped()));
    }
    ConfigObject block = object(value, key + " of " + path);
    if (block == null) {
      return null;
    }
    for (String name : block.keySet()) {
      if (!PROBE_KEYS.contains(name)) {
        errors.add(at(block.get(name)) + "unknown key '" + name + "' in " + key + " of " + path + "; it has " + new TreeSet<>(PROBE_KEYS));
      }
    }
    Config c = block.toConfig();
    if (!c.hasPath("type")) {
      errors.add(at(value) + key + " of " + path + " has no type: notify, tcp, http, command" + (key.equals("readiness") ? ", explicit" : "")
          + " or none");
      return null;
    }
    return new Probe(Probe.Type.of(c.getString("type")), c.hasPath("port") ? c.getString("port") : null,
        c.hasPath("url") ? c.getString("url") : null, c.hasPath("command") ? c.getStringList("command") : null,
        c.hasPath("period") ? c.getDuration("period") : null, c.hasPath("timeout") ? c.getDuration("timeout") : null,
        c.hasPath("failures") ? c.getInt("failures") : null);
  }

  /** {@code limits { memory = 512M, cpu = 1.5, pids = 256 }}. */
  private static ProcessSpec.Limits limits(Config c, NodePath path) {
    for (String key : c.root().keySet()) {
      if (!LIMIT_KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown key '" + key + "' in limits; it has " + new TreeSet<>(LIMIT_KEYS));
      }
    }
    return new ProcessSpec.Limits(c.hasPath("memory") ? c.getBytes("memory") : null, c.hasPath("cpu") ? c.getDouble("cpu") : null,
        c.hasPath("pids") ? c.getInt("pids") : null);
  }

  private RestartPolicy restart(Config c, NodePath path, Config defaults) {
    for (String key : c.root().keySet()) {
      if (!RESTART_KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown key '" + key + "' in restart; it has " + new TreeSet<>(RESTART_KEYS));
      }
    }
    Config full = defaults == null ? c : c.withFallback(defaults.getConfig("shepherd.host.restart"));
    return new RestartPolicy(full.getDuration("min-backoff"), full.getDuration("max-backoff"), full.getDouble("jitter"),
        full.getDuration("reset-after"), full.getInt("max-restarts"), full.getDuration("window"));
  }

  private static Mode mode(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto" -> Mode.AUTO;
      case "managed" -> Mode.MANAGED;
      default -> throw new IllegalArgumentException("mode must be auto or managed, not '" + Names.abbreviate(text) + "'");
    };
  }

  private Map<String, String> strings(ConfigObject object, String what) {
    Map<String, String> values = new TreeMap<>();
    object.forEach((key, value) -> {
      if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST || value.unwrapped() == null) {
        errors.add(at(value) + what + ": '" + key + "' must be a string, number or boolean");
      } else {
        values.put(key, String.valueOf(value.unwrapped()));
      }
    });
    return values;
  }

  private ConfigObject object(ConfigValue value, String what) {
    if (value.valueType() != ConfigValueType.OBJECT) {
      errors.add(at(value) + what + " must be an object { ... }, not a " + value.valueType().name().toLowerCase(Locale.ROOT));
      return null;
    }
    return (ConfigObject) value;
  }

  private static List<Map.Entry<String, ConfigValue>> sorted(ConfigObject object) {
    return new ArrayList<>(new TreeMap<>(object).entrySet());
  }

  private String at(ConfigValue value) {
    int line = value.origin().lineNumber();
    return file + (line > 0 ? ":" + line : "") + ": ";
  }
}
