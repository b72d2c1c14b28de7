package io.jouleflow.predictor.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteConfig;

/**
 * The energy samples that the launcher collects and the agent observes, and that the predictor
 * trains on: tables {@code layer_samples} and {@code model_samples} behind a JDBC URL.
 *
 * <p>The default is a SQLite file, {@value #DEFAULT_URL} ({@code ~} is the user's home; missing
 * directories are created). SQLite stores run in WAL mode with a busy timeout and take the write
 * lock when a write transaction begins, so several JVMs on one host can write to one file at once.
 * Any other JDBC URL (PostgreSQL for a fleet) gets the same portable schema; its driver must be on
 * the class path.
 *
 * <p>Duplicates: a table keeps one row per (hardware profile, origin, sample key); writing a sample
 * whose key is there already changes nothing. The keys are {@code model|config|layer} (model rows:
 * {@code model|config}) for collect samples and {@code model|config|layer|windowStart} (model rows:
 * {@code model|config|windowStart}) for agent samples, see {@link LayerSample} and {@link
 * ModelSample}.
 *
 * <p>One store holds one connection; its methods are synchronized, so threads may share it. Every
 * failure is a {@link SampleStoreException} with a one-line message.
 */
public final class SampleStore implements AutoCloseable {

  /** Where samples go when no URL is given. */
  public static final String DEFAULT_URL = "jdbc:sqlite:~/.jouleflow/samples.db";

  /** Table of layer samples, for {@link #count(String)}. */
  public static final String LAYER_SAMPLES = SampleSchema.LAYER_SAMPLES;

  /** Table of whole-model samples, for {@link #count(String)}. */
  public static final String MODEL_SAMPLES = SampleSchema.MODEL_SAMPLES;

  /** How long a SQLite writer waits for another one before it gives up. */
  static final int BUSY_TIMEOUT_MS = 5000;

  /** How long connecting to a PostgreSQL server (TCP) may take. */
  static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** How long logging in to a PostgreSQL server may take, connecting included. */
  static final int LOGIN_TIMEOUT_SECONDS = 10;

  /**
   * How long one read from a database server may wait: longer than any of the store's queries
   * takes to start answering, far shorter than forever.
   */
  static final int SOCKET_TIMEOUT_SECONDS = 60;

  private static final String SQLITE = "jdbc:sqlite:";
  private static final String POSTGRESQL = "jdbc:postgresql:";
  private static final int BATCH = 500;
  private static final String ORDER = " ORDER BY observed_at, hardware_profile, origin, sample_key";
  private static final Pattern SQLITE_MESSAGE =
      Pattern.compile("\\[SQLITE_\\w+]\\s*(.*?)(?: \\((.*)\\))?");

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)(password=)[^&;\\s]*");
  private static final Pattern USER_INFO_PASSWORD =
      Pattern.compile("(//[^/@:?#;\\s]*:)[^/@?#\\s]*@");

  private final String url;
  private final Connection connection;
  /** The SQLite file, or null for another database (or an in-memory one). */
  private final Path file;
  /** The file's identity (device and inode) when it was opened; null where unknown. */
  private final Object fileKey;

  private SampleStore(String url, Connection connection, Path file) {
    this.url = url;
    this.connection = connection;
    this.file = file;
    this.fileKey = file == null ? null : fileKey(file);
  }

  /**
   * Opens the store at {@code jdbcUrlOrNone} ({@link #DEFAULT_URL} if null or blank), creating its
   * tables if they are missing.
   *
   * @throws SampleStoreException if the URL is not a JDBC URL, no driver takes it, the database
   *     cannot be reached or written, or it was made by a newer jouleflow
   */
  public static SampleStore open(String jdbcUrlOrNone) {
    String url = resolve(jdbcUrlOrNone);
    Connection connection = null;
    try {
      if (url.startsWith(SQLITE)) {
        createParentDirectory(url);
      }
      requireDriver(url);
      connection = DriverManager.getConnection(url, connectionProperties(url));
      if (!url.startsWith(SQLITE) && !url.startsWith(POSTGRESQL)) {
        boundReads(connection);
      }
      int version = inTransaction(connection, SampleSchema::create); // creates a SQLite file
      SampleStore store = new SampleStore(url, connection, sqliteFile(url));
      if (version > SampleSchema.VERSION) {
        throw new SampleStoreException(
            "sample store "
                + display(url)
                + " has schema version "
                + version
                + ", newer than this jouleflow reads ("
                + SampleSchema.VERSION
                + ")");
      }
      return store;
    } catch (SampleStoreException e) {
      closeQuietly(connection);
      throw e;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(connection);
      throw new SampleStoreException(
          "cannot open sample store " + display(url) + ": " + reason(e), e);
    }
  }

  /** Fails as bad input when no JDBC driver on the class path takes {@code url}. */
  private static void requireDriver(String url) {
    try {
      DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw SampleStoreException.badInput("cannot open sample store " + display(url)
          + ": no JDBC driver takes this URL (jouleflow has SQLite's and PostgreSQL's)", e);
    }
  }

  /**
   * Whether this is a SQLite store whose file is no longer at its path: deleted (with its directory
   * or alone) or replaced by another file. Writes would still succeed, into a file nobody can open
   * again; a writer that wants to keep its rows opens the store again, which creates a new file.
   * False for a store that is not a file.
   */
  public synchronized boolean fileGone() {
    if (file == null) {
      return false;
    }
    try {
      Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
      return fileKey != null && !fileKey.equals(key);
    } catch (IOException e) {
      return true; // no such file, or its directory is gone
    }
  }

  /**
   * What the driver is given besides the URL. SQLite: WAL, the busy timeout, {@code BEGIN
   * IMMEDIATE}. PostgreSQL: timeouts for connecting, logging in and each read, so a server that
   * hangs (stopped, not down) gives an error instead of holding the writer forever; those given
   * in the URL are kept.
   */
  static Properties connectionProperties(String url) {
    Properties properties = new Properties();
    if (url.startsWith(SQLITE)) {
      properties.setProperty(SQLiteConfig.Pragma.JOURNAL_MODE.getPragmaName(), "WAL");
      properties.setProperty(
          SQLiteConfig.Pragma.BUSY_TIMEOUT.getPragmaName(), String.valueOf(BUSY_TIMEOUT_MS));
      // BEGIN IMMEDIATE: a writer waits (busy timeout) for the lock up front, instead of failing
      // at once when a read transaction cannot be upgraded.
      properties.setProperty(SQLiteConfig.Pragma.TRANSACTION_MODE.getPragmaName(), "IMMEDIATE");
    } else if (url.startsWith(POSTGRESQL)) {
      String query = url.indexOf('?') < 0 ? "" : url.substring(url.indexOf('?')).toLowerCase(Locale.ROOT);
      for (String[] timeout : new String[][] {
          {"connectTimeout", String.valueOf(CONNECT_TIMEOUT_SECONDS)},
          {"loginTimeout", String.valueOf(LOGIN_TIMEOUT_SECONDS)},
          {"socketTimeout", String.valueOf(SOCKET_TIMEOUT_SECONDS)}}) {
        String key = timeout[0].toLowerCase(Locale.ROOT);
        if (!query.contains("?" + key + "=") && !query.contains("&" + key + "=")) {
          properties.setProperty(timeout[0], timeout[1]);
        }
      }
    }
    return properties;
  }

  /** Another driver: reads time out where it supports that (it may not bound the login). */
  private static void boundReads(Connection connection) {
    try {
      connection.setNetworkTimeout(Runnable::run, SOCKET_TIMEOUT_SECONDS * 1000);
    } catch (SQLException | RuntimeException | AbstractMethodError unsupported) {
      // an old or embedded driver: nothing to bound
    }
  }

  /** The URL this store was opened with, {@code ~} expanded. */
  public String url() {
    return url;
  }

  /**
   * Writes the samples in one transaction; those whose key is in the table already are skipped.
   *
   * @return how many rows were inserted
   */
  public synchronized int writeLayerSamples(List<LayerSample> samples) {
    return insertAll("layer samples", LAYER_SAMPLES, SampleSchema.LAYER_COLUMNS, samples,
        (insert, s) -> {
          int c = bindCommon(insert, s.time(), s.hardwareProfile(), s.meterSource(), s.origin(),
              s.sampleKey(), s.model(), s.config());
          insert.setString(c++, s.layer());
          insert.setString(c++, s.layerType());
          insert.setString(c++, SampleFeatures.toJson(s.features()));
          insert.setInt(c++, s.batchSize());
          setDouble(insert, c++, s.joulesPerInference());
          setDouble(insert, c++, s.secondsPerInference());
          insert.setLong(c++, s.runsAveraged());
          setDouble(insert, c++, s.predictedJoules());
          insert.setString(c, s.protocol());
        });
  }

  /**
   * Writes the samples in one transaction; those whose key is in the table already are skipped.
   *
   * @return how many rows were inserted
   */
  public synchronized int writeModelSamples(List<ModelSample> samples) {
    return insertAll("model samples", MODEL_SAMPLES, SampleSchema.MODEL_COLUMNS, samples,
        (insert, s) -> {
          int c = bindCommon(insert, s.time(), s.hardwareProfile(), s.meterSource(), s.origin(),
              s.sampleKey(), s.model(), s.config());
          insert.setInt(c++, s.batchSize());
          setDouble(insert, c++, s.joulesPerInference());
          setDouble(insert, c++, s.secondsPerInference());
          insert.setLong(c++, s.runsAveraged());
          setDouble(insert, c++, s.predictedJoules());
          insert.setInt(c++, s.layerCount());
          setDouble(insert, c++, s.additivityFactor());
          setDouble(insert, c++, s.sumOfLayerJoules());
          insert.setString(c++, s.protocol());
          setDouble(insert, c++, s.machineLoad() == null ? null : s.machineLoad().otherCpuShare());
          setDouble(insert, c, s.machineLoad() == null ? null : s.machineLoad().stealShare());
        });
  }

  /**
   * Records what hardware profile {@code profile} is, as numbers ({@code
   * HardwareDescription.features()}: names starting {@code hw_}); a profile described already
   * keeps its first description (its id is a hash of what the hardware is).
   *
   * @return whether a row was inserted
   */
  public synchronized boolean describeHardware(String profile, Map<String, Double> features) {
    String json = SampleFeatures.toJson(new LinkedHashMap<>(features));
    return write("hardware description", () -> {
      try (PreparedStatement insert = connection.prepareStatement(SampleSchema.insert(
          SampleSchema.HARDWARE_PROFILES,
          List.of("hardware_profile", "described_at", "description")))) {
        insert.setString(1, profile);
        insert.setString(2, SampleTime.format(Instant.now()));
        insert.setString(3, json);
        return insert.executeUpdate();
      }
    }) > 0;
  }

  /** Every described hardware profile's features, by profile id, in id order. */
  public synchronized Map<String, Map<String, Double>> hardwareDescriptions() {
    Map<String, Map<String, Double>> described = new TreeMap<>();
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(
            "SELECT hardware_profile, description FROM " + SampleSchema.HARDWARE_PROFILES)) {
      while (rs.next()) {
        described.put(rs.getString(1), SampleFeatures.fromJson(rs.getString(2)));
      }
      return described;
    } catch (SQLException | IllegalArgumentException e) {
      throw failure("read hardware descriptions from", e);
    }
  }

  /** Binds one row's parameters to the insert statement. */
  private interface RowBinder<T> {
    void bind(PreparedStatement insert, T row) throws SQLException;
  }

  /** The columns both tables start with; returns the next parameter index. */
  private static int bindCommon(PreparedStatement insert, Instant time,
      String hardwareProfile, String meterSource, String origin, String sampleKey, String model,
      String config) throws SQLException {
    insert.setString(1, SampleTime.format(time));
    insert.setString(2, hardwareProfile);
    insert.setString(3, meterSource);
    insert.setString(4, origin);
    insert.setString(5, sampleKey);
    insert.setString(6, model);
    insert.setString(7, config);
    return 8;
  }

  /** Inserts every row in one transaction, in JDBC batches of {@link #BATCH}. */
  private <T> int insertAll(
      String what, String table, List<String> columns, List<T> rows, RowBinder<T> binder) {
    if (rows.isEmpty()) {
      return 0;
    }
    String sql = SampleSchema.insert(table, columns);
    return write(what, () -> {
      try (PreparedStatement insert = connection.prepareStatement(sql)) {
        int inserted = 0;
        for (int i = 0; i < rows.size(); i++) {
          binder.bind(insert, rows.get(i));
          insert.addBatch();
          if ((i + 1) % BATCH == 0 || i == rows.size() - 1) {
            inserted += inserted(insert.executeBatch());
          }
        }
        return inserted;
      }
    });
  }

  /**
   * Whether a whole-model sample of this model and run configuration is stored: a resumed {@code
   * collect} skips the configurations it has measured already.
   */
  public synchronized boolean hasModelSample(
      String hardwareProfile, String origin, String model, String config, String protocol) {
    String sql =
        "SELECT 1 FROM model_samples WHERE hardware_profile = ? AND origin = ? AND model = ?"
            + " AND config = ? AND protocol = ? LIMIT 1";
    try (PreparedStatement query = connection.prepareStatement(sql)) {
      query.setString(1, hardwareProfile);
      query.setString(2, origin);
      query.setString(3, model);
      query.setString(4, config);
      query.setString(5, protocol);
      try (ResultSet rs = query.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw failure("read model samples from", e);
    }
  }

  /** Every layer sample, oldest first. */
  public List<LayerSample> layerSamples() {
    return layerSamples(SampleFilter.ALL);
  }

  /** The layer samples that {@code filter} matches, oldest first. */
  public synchronized List<LayerSample> layerSamples(SampleFilter filter) {
    return select(LAYER_SAMPLES, SampleSchema.LAYER_COLUMNS, filter, "read layer samples from",
        rs -> new LayerSample(
            SampleTime.parse(rs.getString(1)),
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getString(6),
            rs.getString(7),
            rs.getString(8),
            rs.getString(9),
            SampleFeatures.fromJson(rs.getString(10)),
            rs.getInt(11),
            doubleOrNaN(rs, 12),
            doubleOrNaN(rs, 13),
            rs.getLong(14),
            doubleOrNull(rs, 15),
            rs.getString(5),
            rs.getString(16)));
  }

  /** Every whole-model sample, oldest first. */
  public List<ModelSample> modelSamples() {
    return modelSamples(SampleFilter.ALL);
  }

  /** The whole-model samples that {@code filter} matches, oldest first. */
  public synchronized List<ModelSample> modelSamples(SampleFilter filter) {
    return select(MODEL_SAMPLES, SampleSchema.MODEL_COLUMNS, filter, "read model samples from",
        rs -> new ModelSample(
            SampleTime.parse(rs.getString(1)),
            rs.getString(2),
            rs.getString(3),
            rs.getString(4),
            rs.getString(6),
            rs.getString(7),
            rs.getInt(8),
            doubleOrNaN(rs, 9),
            doubleOrNaN(rs, 10),
            rs.getLong(11),
            doubleOrNull(rs, 12),
            rs.getInt(13),
            doubleOrNull(rs, 14),
            doubleOrNull(rs, 15),
            rs.getString(5),
            rs.getString(16),
            machineLoad(doubleOrNull(rs, 17), doubleOrNull(rs, 18))));
  }

  private static MachineLoad machineLoad(Double otherCpuShare, Double stealShare) {
    return otherCpuShare == null ? null
        : new MachineLoad(otherCpuShare, stealShare == null ? 0 : stealShare);
  }

  /** Reads one row of a result set. */
  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  /** The rows of a sample table that {@code filter} matches, oldest first. */
  private <T> List<T> select(String table, List<String> columns, SampleFilter filter,
      String failureVerb, RowReader<T> reader) {
    List<String> values = new ArrayList<>();
    String sql = SampleSchema.select(table, columns) + where(filter, values) + ORDER;
    try (PreparedStatement query = prepare(sql, values);
        ResultSet rs = query.executeQuery()) {
      List<T> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(reader.read(rs));
      }
      return rows;
    } catch (SQLException | IllegalArgumentException e) {
      throw failure(failureVerb, e);
    }
  }

  /** Rows in {@link #LAYER_SAMPLES} or {@link #MODEL_SAMPLES}. */
  public synchronized long count(String table) {
    if (!LAYER_SAMPLES.equals(table) && !MODEL_SAMPLES.equals(table)) {
      throw new IllegalArgumentException(
          "no sample table " + table + " (" + LAYER_SAMPLES + " or " + MODEL_SAMPLES + ")");
    }
    try (Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw failure("count " + table + " in", e);
    }
  }

  /**
   * Writes every sample to {@code dir/layer_samples.csv.gz} and {@code dir/model_samples.csv.gz},
   * and the hardware descriptions to {@code dir/hardware_profiles.csv.gz}, replacing those files:
   * gzipped CSV with a header row, one column per table column except that
   * the features become one column {@code feature_<name>} each, in {@code LayerFeatures.NAMES}
   * order (then other names, sorted); an unknown number is an empty field.
   */
  public void exportCsv(Path dir) {
    List<LayerSample> layers = layerSamples();
    List<ModelSample> models = modelSamples();
    try {
      SampleCsv.writeLayerSamples(dir.resolve(SampleCsv.LAYER_FILE), layers);
      SampleCsv.writeModelSamples(dir.resolve(SampleCsv.MODEL_FILE), models);
      SampleCsv.writeHardware(dir.resolve(SampleCsv.HARDWARE_FILE), hardwareDescriptions());
    } catch (IOException e) {
      throw new SampleStoreException("cannot export samples to " + dir + ": " + reason(e), e);
    }
  }

  /**
   * Adds the samples of an {@link #exportCsv(Path) export} in {@code dir} to this store; samples it
   * holds already are skipped.
   *
   * @return how many rows were inserted, both tables together
   */
  public int importCsv(Path dir) {
    List<LayerSample> layers;
    List<ModelSample> models;
    Map<String, Map<String, Double>> described;
    try {
      layers = SampleCsv.readLayerSamples(dir.resolve(SampleCsv.LAYER_FILE));
      models = SampleCsv.readModelSamples(dir.resolve(SampleCsv.MODEL_FILE));
      described = SampleCsv.readHardware(dir.resolve(SampleCsv.HARDWARE_FILE));
    } catch (IOException | IllegalArgumentException e) {
      // the export named is missing or malformed
      throw SampleStoreException.badInput(
          "cannot import samples from " + dir + ": " + reason(e), e);
    }
    described.forEach(this::describeHardware);
    return writeLayerSamples(layers) + writeModelSamples(models);
  }

  @Override
  public synchronized void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      throw failure("close", e);
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  private interface ConnectionWork<T> {
    T run(Connection connection) throws SQLException;
  }

  private int write(String what, Work<Integer> work) {
    try {
      return inTransaction(c -> work.run());
    } catch (SQLException e) {
      throw failure("write " + what + " to", e);
    }
  }

  private <T> T inTransaction(ConnectionWork<T> work) throws SQLException {
    return inTransaction(connection, work);
  }

  private static <T> T inTransaction(Connection connection, ConnectionWork<T> work)
      throws SQLException {
    connection.setAutoCommit(false);
    T result;
    try {
      result = work.run(connection);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      // SQLite rolls back by itself on SQLITE_FULL and some I/O errors; rolling back or
      // committing again then fails with "no transaction is active", which must not hide e.
      try {
        connection.rollback();
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      try {
        connection.setAutoCommit(true);
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    connection.setAutoCommit(true);
    return result;
  }


  private static int inserted(int[] counts) {
    int inserted = 0;
    for (int count : counts) {
      // SUCCESS_NO_INFO (-2) comes from drivers that rewrite batches; neither SQLite's nor
      // PostgreSQL's does by default.
      inserted += Math.max(count, 0);
    }
    return inserted;
  }

  private static String where(SampleFilter filter, List<String> values) {
    List<String> conditions = new ArrayList<>();
    if (filter.hardwareProfile() != null) {
      conditions.add("hardware_profile = ?");
      values.add(filter.hardwareProfile());
    }
    if (filter.origin() != null) {
      conditions.add("origin = ?");
      values.add(filter.origin());
    }
    if (filter.model() != null) {
      conditions.add("model = ?");
      values.add(filter.model());
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  private PreparedStatement prepare(String sql, List<String> values) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    for (int i = 0; i < values.size(); i++) {
      statement.setString(i + 1, values.get(i));
    }
    return statement;
  }

  private static void setDouble(PreparedStatement statement, int index, Double value)
      throws SQLException {
    if (value == null || value.isNaN()) {
      statement.setNull(index, Types.DOUBLE);
    } else {
      statement.setDouble(index, value);
    }
  }

  private static double doubleOrNaN(ResultSet rs, int index) throws SQLException {
    double value = rs.getDouble(index);
    return rs.wasNull() ? Double.NaN : value;
  }

  private static Double doubleOrNull(ResultSet rs, int index) throws SQLException {
    double value = rs.getDouble(index);
    return rs.wasNull() ? null : value;
  }

  private SampleStoreException failure(String action, Exception e) {
    return new SampleStoreException(
        "cannot " + action + " sample store " + display(url) + ": " + reason(e), e);
  }

  /** The URL to connect to: the default for none, {@code ~} expanded in a SQLite path. */
  static String resolve(String jdbcUrlOrNone) {
    String url =
        jdbcUrlOrNone == null || jdbcUrlOrNone.isBlank() ? DEFAULT_URL : jdbcUrlOrNone.strip();
    if (!url.startsWith("jdbc:")) {
      throw SampleStoreException.badInput(
          "cannot open sample store "
              + display(url)
              + ": not a JDBC URL (e.g. "
              + DEFAULT_URL
              + ")",
          null);
    }
    for (String prefix : List.of(SQLITE, SQLITE + "file:")) {
      if (url.startsWith(prefix + "~/")) {
        return prefix + System.getProperty("user.home") + url.substring(prefix.length() + 1);
      }
    }
    return url;
  }

  /** Creates the directory of a SQLite file, since SQLite creates the file but not its folder. */
  private static void createParentDirectory(String url) {
    Path file = sqliteFile(url);
    if (file == null) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
    } catch (IOException e) {
      throw new SampleStoreException(
          "cannot open sample store " + display(url) + ": cannot create directory " + reason(e), e);
    }
  }

  /** The absolute path of a SQLite URL's file; null for other URLs and in-memory databases. */
  private static Path sqliteFile(String url) {
    if (!url.startsWith(SQLITE)) {
      return null;
    }
    String path = url.substring(SQLITE.length());
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    if (path.isEmpty() || path.startsWith(":")) { // :memory:, :resource:
      return null;
    }
    return Path.of(path).toAbsolutePath();
  }

  private static Object fileKey(Path file) {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * {@code url} fit for a log line or a message: a password given as a parameter or property
   * ({@code password=}, {@code sslpassword=}, …) or in the user info ({@code //user:password@host})
   * becomes {@code ***}. Also applied to any text that may repeat a URL, such as a driver's
   * message.
   */
  public static String redacted(String url) {
    if (url == null) {
      return null;
    }
    String s = PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
    return USER_INFO_PASSWORD.matcher(s).replaceAll("$1***@");
  }

  /** The URL for messages, without a password. */
  private static String display(String url) {
    return redacted(url);
  }

  /** What went wrong, in one line, without a password. */
  static String reason(Exception e) {
    if (e instanceof FileSystemException f) {
      return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : describe(f));
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return e.getClass().getSimpleName();
    }
    message = message.strip().lines().findFirst().orElse("").strip();
    Matcher sqlite = SQLITE_MESSAGE.matcher(message);
    if (sqlite.matches()) {
      // "[SQLITE_READONLY] Attempt to write a readonly database (attempt to write a readonly
      // database)": the part in parentheses is SQLite's own, more specific, message.
      message = sqlite.group(2) != null ? sqlite.group(2) : sqlite.group(1);
    }
    return display(message); // drivers repeat the URL
  }

  private static String describe(FileSystemException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "exists and is not a directory";
    }
    return e.getClass().getSimpleName();
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Already failing: the first error is the one to report.
      }
    }
  }
}
