/**
 * {@code jouleflow evaluate}: how well per-layer energy regressors generalise to architectures they
 * were not trained on, and the baselines they are compared with.
 *
 * <ul>
 *   <li>{@link io.jouleflow.launcher.evaluate.Splits}: held-out-architecture folds, never random
 *       layers (leave one architecture family out, or a seeded 20 % of architectures).
 *   <li>{@link io.jouleflow.launcher.evaluate.Evaluation}: fits every regressor on each fold's
 *       training layers and scores its predictions for the held-out layers and whole models (RMSPE,
 *       share within ±10 %), pooled over folds.
 *   <li>{@link io.jouleflow.launcher.evaluate.EvaluationReport}: the paper's results table as
 *       Markdown and CSV, and {@link io.jouleflow.launcher.evaluate.EvaluationSummary} for a model
 *       set's manifest.
 *   <li>Baselines: {@link io.jouleflow.launcher.evaluate.XGBoostRegressor}, {@link
 *       io.jouleflow.launcher.evaluate.PolynomialRegressor} (NeuralPower-style) and {@link
 *       io.jouleflow.launcher.evaluate.FlopsLinearRegressor}.
 * </ul>
 */
package io.jouleflow.launcher.evaluate;
