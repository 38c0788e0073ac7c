package io.postino;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the map true: every package's {@code package-info.java} says, on a line starting with
 * "Depends on:", which other Postino packages it may use, and this test fails when the compiled
 * classes use any other. The README's Architecture section is the same map in one table.
 */
class ArchitectureTest {

  private static final Path SOURCES = Path.of("src/main/java");
  /** The paragraph "Depends on: {@code a}, {@code b}." that ends a package-info's comment or precedes another. */
  private static final Pattern DEPENDS_ON = Pattern.compile("<p>Depends on:(.*?)(?:<p>|\\*/)", Pattern.DOTALL);
  private static final Pattern CODE = Pattern.compile("\\{@code[\\s*]+([a-z.]+)}");

  private static JavaClasses classes;
  /** Package (relative to io.postino, "" for the root) to the packages it may depend on. */
  private static Map<String, Set<String>> allowed;

  @BeforeAll
  static void load() throws IOException {
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.postino");
    allowed = new TreeMap<>();
    try (Stream<Path> files = Files.walk(SOURCES.resolve("io/postino"))) {
      for (Path info : files.filter(p -> p.getFileName().toString().equals("package-info.java")).toList()) {
        String text = Files.readString(info);
        Matcher m = DEPENDS_ON.matcher(text);
        String pkg = relative(SOURCES.resolve("io/postino").relativize(info.getParent()).toString().replace('/', '.'));
        assertTrue(m.find(), info + " has no \"Depends on:\" line");
        Set<String> names = new TreeSet<>();
        Matcher code = CODE.matcher(m.group(1));
        while (code.find()) {
          names.add(relative(code.group(1)));
        }
        allowed.put(pkg, names);
      }
    }
  }

  private static String relative(String pkg) {
    return pkg.equals("io.postino") ? "" : pkg.startsWith("io.postino.") ? pkg.substring("io.postino.".length()) : pkg;
  }

  @Test
  void everyPackageHasItsMap() {
    Set<String> missing = new TreeSet<>();
    for (JavaClass c : classes) {
      String pkg = relative(c.getPackageName());
      if (!allowed.containsKey(pkg)) {
        missing.add(pkg.isEmpty() ? "io.postino" : "io.postino." + pkg);
      }
    }
    assertEquals(Set.of(), missing, "packages without a package-info.java");
  }

  @Test
  void packagesDependOnlyOnWhatTheirMapAllows() {
    // one example per forbidden pair of packages is enough to find the rest
    Map<String, String> violations = new TreeMap<>();
    for (JavaClass c : classes) {
      String from = relative(c.getPackageName());
      Set<String> may = allowed.getOrDefault(from, Set.of());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getPackageName();
        if (!target.equals("io.postino") && !target.startsWith("io.postino.")) {
          continue;
        }
        String to = relative(target);
        if (!to.equals(from) && !may.contains(to)) {
          violations.putIfAbsent(name(from) + " -> " + name(to), d.getDescription());
        }
      }
    }
    assertEquals(Map.of(), violations, "dependencies that the package-info.java files do not allow");
  }

  private static String name(String relative) {
    return relative.isEmpty() ? "io.postino" : relative;
  }

  @Test
  void theCodecHasNoIo() {
    List<String> violations = new ArrayList<>();
    for (JavaClass c : classes) {
      if (!c.getPackageName().equals("io.postino.smtp")) {
        continue;
      }
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String target = d.getTargetClass().getName();
        if (target.startsWith("io.vertx.") || target.startsWith("io.netty.") || target.startsWith("java.nio.file.")
            || target.startsWith("java.nio.channels.") || target.startsWith("java.net.Socket")
            || target.startsWith("java.io.File")) {
          violations.add(d.getDescription());
        }
      }
    }
    assertEquals(List.of(), violations, "io.postino.smtp is pure code over bytes: no I/O, no event loop");
  }

  @Test
  void logsGoThroughSlf4jOnly() {
    // Logback is on the compile class path for the tests' log capture; an embedder keeps its own binding
    List<String> violations = new ArrayList<>();
    for (JavaClass c : classes) {
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        if (d.getTargetClass().getName().startsWith("ch.qos.logback.")) {
          violations.add(d.getDescription());
        }
      }
    }
    assertEquals(List.of(), violations, "main code logs through the SLF4J API, never Logback's");
  }

  @Test
  void noPackageCycles() {
    SlicesRuleDefinition.slices().matching("io.postino.(**)").should().beFreeOfCycles().check(classes);
  }
}
