package io.jouleflow.testsupport;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints each skipped or aborted test with its reason to the build output: Surefire's summary
 * only counts them, and a test skipped for a missing tool (promtool, Chromium, PostgreSQL) should
 * say so where the build is read. Registered through {@code META-INF/services}.
 */
public final class SkippedTestReasons implements TestExecutionListener {

  @Override
  public void executionSkipped(TestIdentifier test, String reason) {
    print("SKIPPED", test, reason);
  }

  @Override
  public void executionFinished(TestIdentifier test, TestExecutionResult result) {
    if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
      print("SKIPPED (assumption)", test,
          result.getThrowable().map(Throwable::getMessage).orElse("no reason given"));
    }
  }

  private static void print(String what, TestIdentifier test, String reason) {
    System.out.println("[" + what + "] " + test.getDisplayName()
        + test.getParentId().map(p -> " in " + className(p)).orElse("") + ": " + reason);
  }

  /** {@code [engine:junit-jupiter]/[class:a.b.C]} becomes {@code a.b.C}. */
  private static String className(String uniqueId) {
    int at = uniqueId.lastIndexOf("[class:");
    return at < 0 ? uniqueId : uniqueId.substring(at + 7, uniqueId.indexOf(']', at));
  }
}
