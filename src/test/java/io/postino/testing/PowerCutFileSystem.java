package io.postino.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A power-cut model of a real directory: a {@link FileSystem} whose paths stand for files under
 * that directory, and which records, for each file and directory, what a power cut at any moment
 * would leave of it. Code under test gets its paths from {@link #root()} and uses {@code Files}
 * and {@code FileChannel} as usual: nothing in production code knows about it.
 *
 * <p>What survives a power cut (the conservative POSIX reading, as on ext4 or XFS without luck):
 * <ul>
 *   <li>a file's content as of its last {@code force} (fdatasync/fsync); nothing written after it;
 *       a file never forced survives empty, if its name does;
 *   <li>a directory's entries as of its last fsync; a rename between two directories is one
 *       metadata transaction, made durable by an fsync of either of them.
 * </ul>
 * {@link #image()} takes that state; {@link #restore} puts the directory back to it (the power
 * cut). Files written outside this file system (e.g. by Vert.x's {@code AsyncFile}, which takes a
 * path string) are still seen when they are forced, renamed or listed through it.
 *
 * <p>{@link #onOperation} runs a hook before every write, force, create, rename and deletion, on
 * the thread doing it: a test uses it to run something at a chosen point (a deterministic
 * interleaving) or to count the points.
 */
public final class PowerCutFileSystem extends FileSystem {

  /** An operation the hook is told of. */
  public record Operation(String kind, Path path) {
  }

  /** What a power cut leaves: a tree of file contents. Immutable. */
  public record Image(Map<String, Object> entries) {
    /** A digest of the whole tree: equal images, equal digests. */
    public String digest() {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        feed(sha);
        return HexFormat.of().formatHex(sha.digest());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    private void feed(MessageDigest sha) {
      new TreeMap<>(entries).forEach((name, value) -> {
        sha.update((name + "\0").getBytes(StandardCharsets.UTF_8));
        if (value instanceof Image sub) {
          sha.update((byte) '{');
          sub.feed(sha);
          sha.update((byte) '}');
        } else {
          byte[] bytes = (byte[]) value;
          sha.update((bytes.length + "\0").getBytes(StandardCharsets.UTF_8));
          sha.update(bytes);
        }
      });
    }
  }

  private final Path realRoot;
  private final Provider provider = new Provider();
  // Guarded by this: the durable state, by file key (device and inode).
  private final Map<Object, Node> nodes = new HashMap<>();
  private final List<Rename> pendingRenames = new ArrayList<>();
  private final List<Image> images = new ArrayList<>();
  private boolean recording;
  private volatile Consumer<Operation> hook = op -> { };

  private abstract static class Node {
  }

  private static final class FileNode extends Node {
    byte[] durable = new byte[0];
  }

  private static final class DirNode extends Node {
    Map<String, Node> durable = new TreeMap<>();
  }

  private record Rename(DirNode from, String fromName, DirNode to, String toName, Node node) {
  }

  private PowerCutFileSystem(Path realRoot) throws IOException {
    this.realRoot = realRoot.toAbsolutePath().normalize();
    adoptAsDurable(this.realRoot);
  }

  /** A model of {@code realRoot}, an existing directory whose present content counts as durable. */
  public static PowerCutFileSystem over(Path realRoot) throws IOException {
    return new PowerCutFileSystem(realRoot);
  }

  /** The model's path for {@code realRoot}. */
  public Path root() {
    return new ModelPath(realRoot);
  }

  public void onOperation(Consumer<Operation> hook) {
    this.hook = hook;
  }

  /** From now on, keeps an {@link #image()} after every sync (forgetting earlier ones): see {@link #images()}. */
  public synchronized void recordImages() {
    recording = true;
    images.clear();
    images.add(image());
  }

  /**
   * The images recorded so far: the first one when recording started, then one after each sync.
   * A power cut at any moment leaves the last image taken before it.
   */
  public synchronized List<Image> images() {
    return List.copyOf(images);
  }

  /** How many images are recorded: an event observed now survives in images from this index on. */
  public synchronized int imageCount() {
    return images.size() - 1;
  }

  /** What a power cut now would leave. */
  public synchronized Image image() {
    return new Image(imageOf(dirNode(realRoot)));
  }

  private Map<String, Object> imageOf(DirNode dir) {
    Map<String, Object> entries = new TreeMap<>();
    dir.durable.forEach((name, node) -> entries.put(name,
        node instanceof DirNode d ? new Image(imageOf(d)) : ((FileNode) node).durable.clone()));
    return Map.copyOf(entries);
  }

  /** The power cut: the directory holds {@code image} and nothing else, all of it durable. */
  public synchronized void restore(Image image) throws IOException {
    try (Stream<Path> walk = Files.walk(realRoot)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        if (!p.equals(realRoot)) {
          Files.delete(p);
        }
      }
    }
    write(realRoot, image);
    nodes.clear();
    pendingRenames.clear();
    adoptAsDurable(realRoot);
  }

  private static void write(Path dir, Image image) throws IOException {
    for (Map.Entry<String, Object> e : image.entries().entrySet()) {
      Path p = dir.resolve(e.getKey());
      if (e.getValue() instanceof Image sub) {
        Files.createDirectory(p);
        write(p, sub);
      } else {
        Files.write(p, (byte[]) e.getValue());
      }
    }
  }

  private void adoptAsDurable(Path real) throws IOException {
    if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      DirNode dir = dirNode(real);
      dir.durable.clear();
      try (Stream<Path> list = Files.list(real)) {
        for (Path p : list.toList()) {
          adoptAsDurable(p);
          dir.durable.put(p.getFileName().toString(), node(p));
        }
      }
    } else {
      ((FileNode) node(real)).durable = Files.readAllBytes(real);
    }
  }

  // ------------------------------------------------------------ the model's bookkeeping

  private static Object key(Path real) throws IOException {
    return Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  /** The node of an existing file; one never seen before has nothing durable. */
  private synchronized Node node(Path real) throws IOException {
    return nodes.computeIfAbsent(key(real),
        k -> Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) ? new DirNode() : new FileNode());
  }

  private synchronized DirNode dirNode(Path real) {
    try {
      return (DirNode) node(real);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A new file or directory: whatever node its key had belonged to a deleted file. */
  private synchronized void created(Path real) throws IOException {
    nodes.remove(key(real));
    node(real);
  }

  /** Before a file loses a name: a key freed with its last name may be reused by a new file. */
  private synchronized void unlinking(Path real) throws IOException {
    if (Files.exists(real, LinkOption.NOFOLLOW_LINKS)
        && ((Number) Files.getAttribute(real, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() == 1) {
      nodes.remove(key(real));
    }
  }

  private synchronized void synced(Path real) throws IOException {
    Node node = node(real);
    if (node instanceof FileNode file) {
      file.durable = Files.readAllBytes(real);
    } else {
      DirNode dir = (DirNode) node;
      Map<String, Node> entries = new TreeMap<>();
      try (Stream<Path> list = Files.list(real)) {
        for (Path p : list.toList()) {
          try {
            entries.put(p.getFileName().toString(), node(p));
          } catch (java.nio.file.NoSuchFileException e) {
            // removed since the listing: the sync may or may not have seen it; take it as gone
          }
        }
      }
      dir.durable = entries;
      // a rename is one transaction: the other directory it touched gets its half too
      for (Iterator<Rename> it = pendingRenames.iterator(); it.hasNext(); ) {
        Rename r = it.next();
        if (r.from() == dir) {
          r.to().durable.put(r.toName(), r.node());
        } else if (r.to() == dir) {
          r.from().durable.remove(r.fromName(), r.node());
        } else {
          continue;
        }
        it.remove();
      }
    }
    if (recording) {
      images.add(image());
    }
  }

  private synchronized void renamed(Path from, Path to, Node node) {
    DirNode fromDir = dirNode(from.getParent());
    DirNode toDir = dirNode(to.getParent());
    if (fromDir != toDir) {
      pendingRenames.add(new Rename(fromDir, from.getFileName().toString(), toDir, to.getFileName().toString(), node));
    }
  }

  private void before(String kind, Path real) {
    hook.accept(new Operation(kind, new ModelPath(real)));
  }

  // ------------------------------------------------------------ FileSystem

  @Override
  public FileSystemProvider provider() {
    return provider;
  }

  @Override
  public void close() {
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public boolean isReadOnly() {
    return false;
  }

  @Override
  public String getSeparator() {
    return "/";
  }

  @Override
  public Iterable<Path> getRootDirectories() {
    return List.of(new ModelPath(realRoot.getRoot()));
  }

  @Override
  public Iterable<FileStore> getFileStores() {
    return realRoot.getFileSystem().getFileStores();
  }

  @Override
  public Set<String> supportedFileAttributeViews() {
    return realRoot.getFileSystem().supportedFileAttributeViews();
  }

  @Override
  public Path getPath(String first, String... more) {
    return new ModelPath(realRoot.getFileSystem().getPath(first, more));
  }

  @Override
  public PathMatcher getPathMatcher(String syntaxAndPattern) {
    PathMatcher real = realRoot.getFileSystem().getPathMatcher(syntaxAndPattern);
    return p -> real.matches(real(p));
  }

  @Override
  public UserPrincipalLookupService getUserPrincipalLookupService() {
    return realRoot.getFileSystem().getUserPrincipalLookupService();
  }

  @Override
  public WatchService newWatchService() {
    throw new UnsupportedOperationException();
  }

  private static Path real(Path p) {
    if (p instanceof ModelPath m) {
      return m.real;
    }
    throw new ProviderMismatchException(String.valueOf(p));
  }

  // ------------------------------------------------------------ Path

  private final class ModelPath implements Path {
    final Path real;

    ModelPath(Path real) {
      this.real = real;
    }

    private Path wrap(Path p) {
      return p == null ? null : new ModelPath(p);
    }

    @Override
    public FileSystem getFileSystem() {
      return PowerCutFileSystem.this;
    }

    @Override
    public boolean isAbsolute() {
      return real.isAbsolute();
    }

    @Override
    public Path getRoot() {
      return wrap(real.getRoot());
    }

    @Override
    public Path getFileName() {
      return wrap(real.getFileName());
    }

    @Override
    public Path getParent() {
      return wrap(real.getParent());
    }

    @Override
    public int getNameCount() {
      return real.getNameCount();
    }

    @Override
    public Path getName(int index) {
      return wrap(real.getName(index));
    }

    @Override
    public Path subpath(int beginIndex, int endIndex) {
      return wrap(real.subpath(beginIndex, endIndex));
    }

    @Override
    public boolean startsWith(Path other) {
      return other instanceof ModelPath m && real.startsWith(m.real);
    }

    @Override
    public boolean endsWith(Path other) {
      return other instanceof ModelPath m && real.endsWith(m.real);
    }

    @Override
    public Path normalize() {
      return wrap(real.normalize());
    }

    @Override
    public Path resolve(Path other) {
      return wrap(real.resolve(real(other)));
    }

    @Override
    public Path relativize(Path other) {
      return wrap(real.relativize(real(other)));
    }

    @Override
    public URI toUri() {
      return real.toUri();
    }

    @Override
    public Path toAbsolutePath() {
      return wrap(real.toAbsolutePath());
    }

    @Override
    public Path toRealPath(LinkOption... options) throws IOException {
      return wrap(real.toRealPath(options));
    }

    @Override
    public java.io.File toFile() {
      return real.toFile();
    }

    @Override
    public WatchKey register(WatchService watcher, java.nio.file.WatchEvent.Kind<?>[] events,
        java.nio.file.WatchEvent.Modifier... modifiers) {
      throw new UnsupportedOperationException();
    }

    @Override
    public int compareTo(Path other) {
      return real.compareTo(real(other));
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ModelPath m && m.getFileSystem() == getFileSystem() && real.equals(m.real);
    }

    @Override
    public int hashCode() {
      return real.hashCode();
    }

    @Override
    public String toString() {
      // the real path: code that hands a path string to Vert.x writes the real file
      return real.toString();
    }
  }

  // ------------------------------------------------------------ provider

  private final class Provider extends FileSystemProvider {
    private FileSystemProvider realProvider() {
      return realRoot.getFileSystem().provider();
    }

    @Override
    public String getScheme() {
      return "powercut";
    }

    @Override
    public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
      throw new UnsupportedOperationException();
    }

    @Override
    public FileSystem getFileSystem(URI uri) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Path getPath(URI uri) {
      throw new UnsupportedOperationException();
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
      return newFileChannel(path, options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
        throws IOException {
      Path real = real(path);
      boolean existed = Files.exists(real, LinkOption.NOFOLLOW_LINKS);
      boolean creates = !existed
          && (options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW));
      if (creates) {
        before("create", real);
      }
      FileChannel ch = FileChannel.open(real, options, attrs);
      if (creates) {
        created(real);
      }
      return new ModelChannel(ch, real);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
        throws IOException {
      DirectoryStream<Path> stream = Files.newDirectoryStream(real(dir));
      return new DirectoryStream<>() {
        @Override
        public Iterator<Path> iterator() {
          List<Path> matching = new ArrayList<>();
          for (Path p : stream) {
            Path model = new ModelPath(p);
            try {
              if (filter.accept(model)) {
                matching.add(model);
              }
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
          return matching.iterator();
        }

        @Override
        public void close() throws IOException {
          stream.close();
        }
      };
    }

    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
      Path real = real(dir);
      before("mkdir", real);
      Files.createDirectory(real, attrs);
      created(real);
    }

    @Override
    public void delete(Path path) throws IOException {
      Path real = real(path);
      before("delete", real);
      unlinking(real);
      Files.delete(real);
    }

    @Override
    public void copy(Path source, Path target, CopyOption... options) {
      throw new UnsupportedOperationException("copy is not modelled");
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
      Path from = real(source);
      Path to = real(target);
      before("rename", from);
      Node node = node(from);
      if (List.of(options).contains(StandardCopyOption.REPLACE_EXISTING)) {
        unlinking(to);
      }
      Files.move(from, to, options);
      renamed(from, to, node);
    }

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
      return Files.isSameFile(real(path), real(path2));
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
      return Files.isHidden(real(path));
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
      return Files.getFileStore(real(path));
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
      realProvider().checkAccess(real(path), modes);
    }

    @Override
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
      return realProvider().getFileAttributeView(real(path), type, options);
    }

    @Override
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
        throws IOException {
      return realProvider().readAttributes(real(path), type, options);
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
      return realProvider().readAttributes(real(path), attributes, options);
    }

    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
      realProvider().setAttribute(real(path), attribute, value, options);
    }
  }

  // ------------------------------------------------------------ channel

  /** A real channel whose writes are reported and whose force only updates the model. */
  private final class ModelChannel extends FileChannel {
    private final FileChannel ch;
    private final Path real;

    ModelChannel(FileChannel ch, Path real) {
      this.ch = ch;
      this.real = real;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      before("force", real);
      // no real fsync: the model is what a power cut leaves, and tests stay fast
      synced(real);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return ch.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return ch.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      before("write", real);
      return ch.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      before("write", real);
      return ch.write(srcs, offset, length);
    }

    @Override
    public long position() throws IOException {
      return ch.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      ch.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return ch.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      before("truncate", real);
      ch.truncate(size);
      return this;
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      return ch.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      before("write", real);
      return ch.transferFrom(src, position, count);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return ch.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      before("write", real);
      return ch.write(src, position);
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      if (mode != MapMode.READ_ONLY) {
        throw new UnsupportedOperationException("writes through a mapping are not modelled");
      }
      return ch.map(mode, position, size);
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return ch.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return ch.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      ch.close();
    }
  }
}
