package io.jouleflow.launcher.evaluate;

/**
 * Solves the ridge normal equations {@code (A + λI) β = b} for a symmetric positive semi-definite
 * {@code A} by Cholesky decomposition: small (a few hundred terms), dense, and exact enough for the
 * polynomial baseline, without a linear-algebra dependency.
 */
final class RidgeSolver {

  private RidgeSolver() {}

  /**
   * @param a the lower triangle of a symmetric matrix ({@code a[i][j]} for {@code j <= i} is read;
   *     not changed)
   * @param b the right-hand side
   * @param lambda the ridge term added to the diagonal; raised tenfold until the matrix factors
   */
  static double[] solveLowerSymmetric(double[][] a, double[] b, double lambda) {
    int n = b.length;
    if (n == 0) {
      return new double[0];
    }
    double[][] original = new double[n][];
    for (int i = 0; i < n; i++) {
      original[i] = a[i].clone();
    }
    double trace = 0;
    for (int i = 0; i < n; i++) {
      trace += original[i][i];
    }
    double ridge = Math.max(lambda, 1e-12 * Math.max(trace / n, 1));
    for (int attempt = 0; attempt < 20; attempt++, ridge *= 10) {
      double[][] l = cholesky(original, ridge);
      if (l != null) {
        return substitute(l, b);
      }
    }
    throw new IllegalStateException("the least-squares system does not factor");
  }

  /** The lower Cholesky factor of {@code a + ridge·I}, or null if it is not positive definite. */
  private static double[][] cholesky(double[][] a, double ridge) {
    int n = a.length;
    double[][] l = new double[n][];
    for (int i = 0; i < n; i++) {
      l[i] = new double[i + 1];
      for (int j = 0; j <= i; j++) {
        double sum = a[i][j] + (i == j ? ridge : 0);
        double[] li = l[i];
        double[] lj = l[j];
        for (int k = 0; k < j; k++) {
          sum -= li[k] * lj[k];
        }
        if (i == j) {
          if (!(sum > 0)) {
            return null;
          }
          li[i] = Math.sqrt(sum);
        } else {
          li[j] = sum / lj[j];
        }
      }
    }
    return l;
  }

  private static double[] substitute(double[][] l, double[] b) {
    int n = b.length;
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= l[i][k] * y[k];
      }
      y[i] = sum / l[i][i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double sum = y[i];
      for (int k = i + 1; k < n; k++) {
        sum -= l[k][i] * x[k];
      }
      x[i] = sum / l[i][i];
    }
    return x;
  }
}
