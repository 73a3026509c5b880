#include "engine/model/zip_archive.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace tserve::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

struct FileSpec {
  std::string name;
  std::string data;
  uint16_t method = 0;
  uint16_t flags = 0;
  // Writes the sizes and offset as 0xffffffff with their values in a ZIP64
  // extra field, as PyTorch does for files past 4 GiB.
  bool zip64_extra = false;
  int zip64_fields = 3;     // how many of the three 64-bit values the extra field holds
  std::string local_extra;  // e.g. PyTorch's alignment padding
};

void Put16(std::string& out, uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }
void Put32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void Put64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

// Offsets of the records in a built archive, for tests that corrupt them.
struct Layout {
  std::vector<size_t> local_headers;
  std::vector<size_t> central_entries;
  size_t central_directory = 0;
  size_t end_record = 0;
};

// A zip archive as the specification lays it out: local headers and data, the
// central directory, optionally the ZIP64 end record and locator, the end record.
std::string BuildZip(const std::vector<FileSpec>& files, bool zip64_end = false,
                     const std::string& comment = "", Layout* layout = nullptr) {
  Layout l;
  std::string out;
  std::vector<size_t> offsets;
  for (const FileSpec& f : files) {
    offsets.push_back(out.size());
    l.local_headers.push_back(out.size());
    Put32(out, 0x04034b50);
    Put16(out, 20);
    Put16(out, f.flags | 0x0008);  // sizes in a data descriptor: zeros here
    Put16(out, f.method);
    Put16(out, 0);
    Put16(out, 0);
    Put32(out, 0);
    Put32(out, 0);
    Put32(out, 0);
    Put16(out, static_cast<uint16_t>(f.name.size()));
    Put16(out, static_cast<uint16_t>(f.local_extra.size()));
    out += f.name;
    out += f.local_extra;
    out += f.data;
  }
  l.central_directory = out.size();
  for (size_t i = 0; i < files.size(); ++i) {
    const FileSpec& f = files[i];
    l.central_entries.push_back(out.size());
    std::string extra;
    if (f.zip64_extra) {
      const uint64_t values[] = {f.data.size(), f.data.size(), offsets[i]};
      Put16(extra, 0x0001);
      Put16(extra, static_cast<uint16_t>(8 * f.zip64_fields));
      for (int k = 0; k < f.zip64_fields; ++k) Put64(extra, values[k]);
    }
    Put32(out, 0x02014b50);
    Put16(out, 0x031e);
    Put16(out, 45);
    Put16(out, f.flags);
    Put16(out, f.method);
    Put16(out, 0);
    Put16(out, 0);
    Put32(out, 0);
    const uint32_t size32 = f.zip64_extra ? 0xffffffffu : static_cast<uint32_t>(f.data.size());
    Put32(out, size32);
    Put32(out, size32);
    Put16(out, static_cast<uint16_t>(f.name.size()));
    Put16(out, static_cast<uint16_t>(extra.size()));
    Put16(out, 0);
    Put16(out, 0);
    Put16(out, 0);
    Put32(out, 0);
    Put32(out, f.zip64_extra ? 0xffffffffu : static_cast<uint32_t>(offsets[i]));
    out += f.name;
    out += extra;
  }
  const size_t directory_size = out.size() - l.central_directory;
  if (zip64_end) {
    const size_t zip64_end_offset = out.size();
    Put32(out, 0x06064b50);
    Put64(out, 44);
    Put16(out, 0x031e);
    Put16(out, 45);
    Put32(out, 0);
    Put32(out, 0);
    Put64(out, files.size());
    Put64(out, files.size());
    Put64(out, directory_size);
    Put64(out, l.central_directory);
    Put32(out, 0x07064b50);
    Put32(out, 0);
    Put64(out, zip64_end_offset);
    Put32(out, 1);
  }
  l.end_record = out.size();
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, zip64_end ? 0xffff : static_cast<uint16_t>(files.size()));
  Put16(out, zip64_end ? 0xffff : static_cast<uint16_t>(files.size()));
  Put32(out, zip64_end ? 0xffffffffu : static_cast<uint32_t>(directory_size));
  Put32(out, zip64_end ? 0xffffffffu : static_cast<uint32_t>(l.central_directory));
  Put16(out, static_cast<uint16_t>(comment.size()));
  out += comment;
  if (layout != nullptr) *layout = l;
  return out;
}

void Set16(std::string& bytes, size_t at, uint16_t v) { std::memcpy(&bytes[at], &v, 2); }
void Set32(std::string& bytes, size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }

FileSpec File(std::string name, std::string data) {
  FileSpec f;
  f.name = std::move(name);
  f.data = std::move(data);
  return f;
}

std::vector<FileSpec> TwoFiles() {
  return {File("archive/data.pkl", "pickle bytes"),
          File("archive/data/0", std::string("\x00\x00\x80\x3f", 4))};
}

absl::Status ParseError(const std::string& bytes) {
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, "test.zip");
  EXPECT_FALSE(archive.ok()) << "parsed an invalid archive";
  if (archive.ok()) return absl::OkStatus();
  EXPECT_EQ(archive.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(archive.status().message()), StartsWith("test.zip: "));
  return archive.status();
}

TEST(ZipArchiveTest, ReadsStoredEntries) {
  const std::string bytes = BuildZip(TwoFiles());
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, "test.zip");
  ASSERT_TRUE(archive.ok()) << archive.status();
  ASSERT_EQ(archive->entries().size(), 2u);
  EXPECT_EQ(archive->entries()[0].name, "archive/data.pkl");
  EXPECT_EQ(archive->entries()[0].data, "pickle bytes");
  const ZipEntry* tensor = archive->Find("archive/data/0");
  ASSERT_NE(tensor, nullptr);
  EXPECT_EQ(tensor->method, 0);
  EXPECT_EQ(tensor->uncompressed_size, 4u);
  EXPECT_EQ(tensor->data, std::string("\x00\x00\x80\x3f", 4));
  EXPECT_EQ(archive->Find("archive/data/1"), nullptr);
  EXPECT_EQ(archive->Find("archive"), nullptr);
}

TEST(ZipArchiveTest, Zip64RecordsAndExtraFields) {
  std::vector<FileSpec> files = TwoFiles();
  files[1].zip64_extra = true;
  const std::string bytes = BuildZip(files, /*zip64_end=*/true);
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, "test.zip");
  ASSERT_TRUE(archive.ok()) << archive.status();
  ASSERT_EQ(archive->entries().size(), 2u);
  EXPECT_EQ(archive->entries()[1].data, std::string("\x00\x00\x80\x3f", 4));
  EXPECT_EQ(archive->entries()[1].compressed_size, 4u);
}

TEST(ZipArchiveTest, LocalExtraFieldAndCommentAreSkipped) {
  std::vector<FileSpec> files = TwoFiles();
  files[0].local_extra = std::string("FB\x06\x00ZZZZZZ", 10);  // PyTorch's alignment padding
  const std::string bytes = BuildZip(files, false, "a comment with PK\x05\x06 in it");
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, "test.zip");
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_EQ(archive->entries()[0].data, "pickle bytes");
}

TEST(ZipArchiveTest, EmptyArchive) {
  const std::string bytes = BuildZip({});
  EXPECT_TRUE(ZipArchive::LooksLikeZip(bytes));
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes, "test.zip");
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_TRUE(archive->entries().empty());
}

TEST(ZipArchiveTest, LooksLikeZip) {
  EXPECT_TRUE(ZipArchive::LooksLikeZip(BuildZip(TwoFiles())));
  EXPECT_FALSE(ZipArchive::LooksLikeZip(std::string("\x80\x02\x8a\x0a", 4)));  // a pickle
  EXPECT_FALSE(ZipArchive::LooksLikeZip("PK"));
}

TEST(ZipArchiveTest, TooShortOrNoEndRecord) {
  EXPECT_THAT(ParseError("PK\x03").message(), HasSubstr("file is 3 bytes"));
  EXPECT_THAT(ParseError(std::string(100, 'x')).message(),
              HasSubstr("no zip end of central directory record"));
}

TEST(ZipArchiveTest, EveryTruncationIsAnError) {
  for (bool zip64 : {false, true}) {
    std::vector<FileSpec> files = TwoFiles();
    files[1].zip64_extra = zip64;
    const std::string bytes = BuildZip(files, zip64);
    for (size_t n = 0; n < bytes.size(); ++n) {
      absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(bytes.substr(0, n), "test.zip");
      EXPECT_FALSE(archive.ok()) << "prefix of " << n << " bytes parsed";
    }
  }
}

TEST(ZipArchiveTest, CentralDirectoryPastTheEnd) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set32(bytes, l.end_record + 16, 1000000);
  EXPECT_THAT(
      ParseError(bytes).message(),
      HasSubstr(absl::StrCat("truncated: central directory at offset 1000000 (",
                             l.end_record - l.central_directory,
                             " bytes) goes past the end of the file (", bytes.size(), " bytes)")));
}

TEST(ZipArchiveTest, MoreEntriesThanTheDirectoryHolds) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set16(bytes, l.end_record + 8, 40);
  Set16(bytes, l.end_record + 10, 40);
  EXPECT_THAT(ParseError(bytes).message(), HasSubstr("cannot hold its 40 entries"));
}

TEST(ZipArchiveTest, LocalHeaderPastTheEnd) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set32(bytes, l.central_entries[1] + 42, 0x7fffff00);
  EXPECT_THAT(ParseError(bytes).message(),
              HasSubstr("entry 'archive/data/0': local header at offset 2147483392 goes past "
                        "the end of the file"));
}

TEST(ZipArchiveTest, LocalHeaderOfAnotherEntry) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set32(bytes, l.central_entries[1] + 42, static_cast<uint32_t>(l.local_headers[0]));
  EXPECT_THAT(ParseError(bytes).message(),
              HasSubstr("entry 'archive/data/0': the local header at offset 0 names "
                        "'archive/data.pkl'"));
  Set32(bytes, l.central_entries[1] + 42, 3);
  EXPECT_THAT(ParseError(bytes).message(), HasSubstr("no local header at offset 3"));
}

TEST(ZipArchiveTest, DataPastTheEnd) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set32(bytes, l.central_entries[1] + 20, 0xfffffff0);
  Set32(bytes, l.central_entries[1] + 24, 0xfffffff0);
  const size_t data_begin = l.local_headers[1] + 30 + std::string("archive/data/0").size();
  EXPECT_THAT(ParseError(bytes).message(),
              HasSubstr(absl::StrCat("entry 'archive/data/0' data [", data_begin, ", ",
                                     data_begin + 0xfffffff0, ") goes past the end of the file (",
                                     bytes.size(), " bytes)")));
}

TEST(ZipArchiveTest, Zip64MarkerWithoutExtraField) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), false, "", &l);
  Set32(bytes, l.central_entries[0] + 42, 0xffffffffu);
  EXPECT_THAT(ParseError(bytes).message(),
              HasSubstr("entry 'archive/data.pkl': its sizes or offset hold the ZIP64 marker"));
}

TEST(ZipArchiveTest, Zip64ExtraFieldTooShort) {
  std::vector<FileSpec> files = TwoFiles();
  files[0].zip64_extra = true;
  files[0].zip64_fields = 2;  // the local header offset is missing
  EXPECT_THAT(ParseError(BuildZip(files)).message(),
              HasSubstr("entry 'archive/data.pkl': its ZIP64 extra field (16 bytes) is too short"));
}

TEST(ZipArchiveTest, Zip64LocatorPointingNowhere) {
  Layout l;
  std::string bytes = BuildZip(TwoFiles(), true, "", &l);
  Set32(bytes, l.end_record - 20 + 8, 5);
  EXPECT_THAT(ParseError(bytes).message(),
              HasSubstr("no ZIP64 end of central directory record at offset 5"));
  Set32(bytes, l.end_record - 20 + 8, 0x7fffffff);
  EXPECT_THAT(ParseError(bytes).message(), HasSubstr("goes past its locator"));
}

TEST(ZipArchiveTest, RefusedEntries) {
  {
    std::vector<FileSpec> files = TwoFiles();
    files[1].name = files[0].name;
    EXPECT_THAT(ParseError(BuildZip(files)).message(),
                HasSubstr("entry 'archive/data.pkl' appears twice"));
  }
  {
    std::vector<FileSpec> files = TwoFiles();
    files[1].flags = 1;
    EXPECT_THAT(ParseError(BuildZip(files)).message(),
                HasSubstr("entry 'archive/data/0' is encrypted"));
  }
  {
    Layout l;
    std::string bytes = BuildZip(TwoFiles(), false, "", &l);
    Set32(bytes, l.central_entries[1] + 24, 8);  // uncompressed size
    EXPECT_THAT(ParseError(bytes).message(),
                HasSubstr("entry 'archive/data/0' is stored uncompressed but its sizes differ"));
  }
  {
    Layout l;
    std::string bytes = BuildZip(TwoFiles(), false, "", &l);
    Set16(bytes, l.end_record + 4, 1);  // disk number
    EXPECT_THAT(ParseError(bytes).message(), HasSubstr("multi-disk archives are not supported"));
  }
}

TEST(ZipArchiveTest, CompressedEntriesAreListedNotRead) {
  std::vector<FileSpec> files = TwoFiles();
  files[1].method = 8;
  absl::StatusOr<ZipArchive> archive = ZipArchive::Parse(BuildZip(files), "test.zip");
  ASSERT_TRUE(archive.ok()) << archive.status();
  EXPECT_EQ(archive->entries()[1].method, 8);
}

}  // namespace
}  // namespace tserve::engine
