"""m4a/AAC and wma, which libsndfile cannot read, decoded by the FFmpeg inside PyAV
(jmer.data.ffmpeg_audio), both whole (training) and streamed (prediction)."""

import numpy as np
import pytest

from jmer.data import audio
from jmer.inference import decode
from tests.support import encoded_audio

@pytest.fixture(scope="module")
def source():
  return encoded_audio.source_clip(12.0)


@pytest.fixture(scope="module")
def encoded(tmp_path_factory, source):
  folder = tmp_path_factory.mktemp("encoded")
  wave, rate = source
  return {name: encoded_audio.write_encoded(folder / name, wave, rate, faststart="fast" in name)
          for name in ("song.m4a", "song_fast.m4a", "song.wma")}


@pytest.mark.parametrize("name", ["song.m4a", "song_fast.m4a"])
def test_a_real_aac_file_decodes_to_its_source(encoded, source, name):
  """The same length and waveform, sample-aligned: the encoder delay and end padding the MP4
  edit list records are removed, so segments fall where they do in the source."""
  wave, rate = source
  mono = wave.mean(axis=1)
  decoded = audio.load_audio(encoded[name], rate)
  assert len(decoded) == len(mono)
  assert np.corrcoef(decoded, mono)[0, 1] > 0.98
  streamed = np.concatenate(list(decode.decoded_blocks(encoded[name], rate, block_seconds=0.7)))
  np.testing.assert_array_equal(streamed, decoded)


def test_a_wma_file_decodes_to_its_source_length(encoded, source):
  """WMA (ASF) records no encoder delay: FFmpeg's decoder starts one 2048-sample frame late,
  so only the length and the content are checked."""
  wave, rate = source
  decoded = audio.load_audio(encoded["song.wma"], rate)
  assert abs(len(decoded) - len(wave)) <= 2048
  assert np.corrcoef(decoded[:rate * 10], wave.mean(axis=1)[2048:rate * 10 + 2048])[0, 1] > 0.98


def test_streamed_ffmpeg_decoding_resamples_like_whole_file_decoding(encoded):
  whole = audio.load_audio(encoded["song.m4a"], 22050)
  source = {}
  blocks = list(decode.decoded_blocks(encoded["song.m4a"], 22050, block_seconds=0.7,
                                      source=source))
  assert len(blocks) > 10 and source == {"sample_rate": 44100, "channels": 2}
  np.testing.assert_allclose(np.concatenate(blocks), whole, atol=1e-5)


@pytest.mark.parametrize("name,cut,reason", [
    ("song.m4a", 0.5, "not a readable audio file: not a recognised audio format"),
    ("song_fast.m4a", 0.5, "decoding failed after 5."),
    ("song.wma", 0.7, "decoding failed after 8.")])
def test_a_cut_compressed_file_is_refused_naming_it(encoded, tmp_path, name, cut, reason):
  data = encoded[name].read_bytes()
  damaged = tmp_path / f"cut {name}"
  damaged.write_bytes(data[:int(len(data) * cut)])
  for load in (lambda p: audio.load_audio(p, 22050), lambda p: list(decode.decoded_blocks(p,
                                                                                          22050))):
    with pytest.raises(audio.AudioError) as error:
      load(damaged)
    message = str(error.value)
    assert message.startswith(f"{damaged}: ") and "\n" not in message
    assert reason in message.replace("cannot decode as audio", "not a readable audio file")
