"""Musical material of the built-in corpus: chord qualities, scales, instruments and the
per-genre styles that `jmer.data.synthetic` renders. Tables only; no code.
"""

_T = 2048  # wavetable length: one cycle, room for the harmonics of the lowest bass note
_Q = {"maj": (0, 4, 7), "min": (0, 3, 7), "5": (0, 7, 12), "dim": (0, 3, 6), "7": (0, 4, 7, 10),
      "maj7": (0, 4, 7, 11), "m7": (0, 3, 7, 10), "m7b5": (0, 3, 6, 10), "9": (0, 4, 7, 10, 14),
      "m9": (0, 3, 7, 10, 14), "7b9": (0, 4, 7, 10, 13)}
_SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10),
           "mixo": (0, 2, 4, 5, 7, 9, 10), "blues": (0, 3, 5, 6, 7, 10),
           "phrygian": (0, 1, 3, 5, 7, 8, 10)}
# Instruments: (spectral tilt k^-p, odd harmonics only, attack s, decay s, sustain level, pluck s
# (how fast the bright part of the spectrum dies), vibrato depth, ensemble detune cents, drive).
_INST = {
    "piano": (1.7, 0, .002, .9, 0, .25, 0, 0, 0), "epiano": (3., 0, .003, 1.4, 0, .05, 0, 0, 0),
    "guitar": (1.3, 0, .002, .6, 0, .08, 0, 0, 0), "twang": (.8, 0, .002, .4, 0, .03, 0, 0, 0),
    "dist": (1., 0, .004, .4, .8, 0, 0, 6, 6), "strings": (1.1, 0, .15, .5, 1, 0, .006, 9, 0),
    "organ": (1., 0, .01, 1., 1, 0, .002, 0, 0), "synth": (1., 0, .008, .25, .6, 0, 0, 12, 0),
    "square": (1., 1, .02, .3, .8, 0, .003, 0, 0), "bass": (2.2, 0, .004, .5, .25, .05, 0, 0, 0),
    "upright": (2.6, 0, .01, .3, .05, .03, 0, 0, 0),
    "synbass": (1.2, 0, .004, .15, .5, .05, 0, 0, 0), "sub808": (9., 0, .002, .9, .4, 0, 0, 0, 1.5)}
_DRUM_GAIN = dict(k=1., s=.8, h=.35, o=.35, r=.3, m=.5, p=.7, c=.4)
_VEL = {"X": 1., "x": .75, "g": .3, "?": .4, "a": .7, "R": .8, "O": .8, "A": .7, "3": .75,
        "5": .75, "6": .7, "7": .7}
_BB, _E8, _Q4, _H2 = "....x.......x...", "x.x.x.x.x.x.x.x.", "x...x...x...x...", "x......."
_SN, _OFF, _DROP = "....X.......X...", "..x...x...x...x.", "........x......."
# Per-genre style. bpm: range (arousal picks the position; ranges overlap); swing: (low, high, 8|16)
# where the off-beat falls (.5 straight, .67 triplet) and at which level. Rhythms are one bar on a
# 16-step grid (shorter patterns repeat). drums: per voice (k kick, s snare, h/o closed/open hat,
# r ride, m rim, p clap, c crash; X accent, x hit, g ghost, ? maybe); prog: (major, minor) chord
# loops, "root:quality" per bar; comp/bass: ordered sparse -> dense (arousal picks): x chord,
# a arpeggio, ? maybe, - tie, . rest, bass letters are chord tones (A: approach to the next root);
# pal: comp/bass/lead palettes, overlapping across genres on purpose; av: mean (arousal, valence).
_STYLES = {
    "blues": dict(
        bpm=(60, 105), swing=(.62, .70, 8), av=(-.3, -.35), kick=(.15, .3), lead=.7,
        scale=("mixo", "blues"), drums=[dict(k=_H2, s=_BB, r=_E8), dict(k=_Q4, s=_BB, h=_E8)],
        prog=(["0:7 0:7 0:7 0:7 5:7 5:7 0:7 0:7 7:7 5:7 0:7 7:7"],
              ["0:m7 0:m7 0:m7 0:m7 5:m7 5:m7 0:m7 0:m7 7:7 5:m7 0:m7 7:7"]),
        comp=["x-------", "x---", _E8], bass=["R---3---5---6---", "R-3-5-6-7-6-5-3-"],
        pal=("guitar:3 piano:3 organ:2 dist:1", "bass:3 upright:2",
             "guitar:3 dist:2 organ:1 square:1")),
    "classical": dict(
        bpm=(60, 140), av=(-.4, .1), kick=(.2, .3), lead=.9, drums=[],
        prog=(["0:maj 5:maj 7:7 0:maj", "0:maj 9:min 5:maj 7:7", "0:maj 2:min 7:7 0:maj"],
              ["0:min 5:min 7:7 0:min", "0:min 8:maj 2:dim 7:7"]),
        comp=["x" + "-" * 15, "a---", "a-", "a"], bass=["R" + "-" * 15, "R-------5-------"],
        pal=("strings:5 piano:4 organ:1", "strings:3 upright:1 bass:1",
             "strings:4 piano:3 square:2")),
    "country": dict(  # train beat or two-step
        bpm=(85, 150), swing=(.5, .56, 8), av=(0., .3), kick=(.15, .25), lead=.7,
        drums=[dict(k=_H2, s="ggggXggg"), dict(k=_H2, s=_BB, h=_E8)],
        prog=(["0:maj 5:maj 7:maj 0:maj", "0:maj 0:maj 5:maj 7:maj", "0:maj 7:maj 9:min 5:maj"],
              ["0:min 5:min 7:maj 0:min", "0:min 8:maj 10:maj 0:min"]),
        comp=["x---", "x-"], bass=["R-------5-------", "R---5---"],
        pal=("twang:4 guitar:3 piano:2 organ:1", "bass:4 upright:1",
             "twang:3 strings:2 guitar:1 square:1")),
    "disco": dict(
        bpm=(110, 132), swing=(.5, .53, 16), av=(.55, .5), kick=(.12, .25), lead=.6,
        drums=[dict(k=_Q4, s=_BB, h=_Q4, o=_OFF), dict(k=_Q4, p=_BB, h="x", o=_OFF)],
        prog=(["2:m7 7:9 0:maj7 9:m7", "0:maj7 9:m7 2:m7 7:7"], ["0:m7 0:m7 5:m7 5:m7",
                                                                  "0:m9 5:9"]),
        comp=["x-------", _OFF, ".xx."], bass=["R---R-O-", "R-O-"],
        pal=("guitar:3 strings:2 epiano:2 synth:2", "synbass:3 bass:3",
             "strings:3 synth:3 epiano:1")),
    "hiphop": dict(  # boom-bap: a heavy, swung kick
        bpm=(80, 100), swing=(.54, .62, 16), av=(.2, -.1), kick=(.35, .6), lead=.5,
        drums=[dict(k="x......x..x.....", s=_BB, h=_E8), dict(k="x.x....x.xx.....", s=_BB, h=_E8)],
        prog=(["0:maj7 9:m7 2:m7 7:9"], ["0:m7 8:maj7 0:m7 8:maj7", "0:m9 5:m7 8:maj7 7:7"]),
        comp=["x" + "-" * 15, "x-------", "x--x--x---x-----"],
        bass=["R" + "-" * 15, "R------R-R------"],
        pal=("epiano:4 piano:3 strings:2 synth:2", "sub808:5 synbass:2 bass:1",
             "synth:3 epiano:2 piano:2 square:2")),
    "jazz": dict(
        bpm=(100, 200), swing=(.62, .70, 8), av=(-.1, .2), kick=(.15, .3), lead=.8,
        drums=[dict(r="x...x.x.x...x.x.", h=_BB, k="g...", s="??.?.??..?.?.?.?")],  # swung ride
        prog=(["2:m7 7:9 0:maj7 0:maj7", "0:maj7 9:m7 2:m9 7:7b9", "4:m7 9:7 2:m7 7:9"],
              ["2:m7b5 7:7b9 0:m7 0:m7", "0:m9 5:m7 2:m7b5 7:7b9"]),
        comp=["x-----x---------", "x--.--x.....x...", "?."],
        bass=["R-------5-------", "R---3---5---A---"],  # two-feel, walking
        pal=("epiano:4 piano:4 guitar:2", "upright:5 bass:1",
             "square:3 epiano:2 piano:2 guitar:2 synth:1")),
    "metal": dict(  # double kick, power chords
        bpm=(130, 200), av=(.65, -.45), kick=(.06, .12), lead=.6, scale=("major", "phrygian"),
        drums=[dict(k="x", s=_SN, c=_Q4), dict(k=_E8, s=_SN, h=_E8), dict(k="x", s=_OFF, r=_E8)],
        prog=(["0:5 5:5 7:5 5:5", "0:5 10:5 5:5 0:5"], ["0:5 8:5 10:5 0:5", "0:5 1:5 0:5 10:5"]),
        comp=["x-------", _E8, "x"], bass=["R-", "R"],
        pal=("dist:7 guitar:1 synth:1 strings:1", "bass:4 synbass:1", "dist:5 synth:1 guitar:1")),
    "pop": dict(
        bpm=(92, 128), swing=(.5, .55, 16), av=(.3, .5), kick=(.15, .3), lead=.8,
        drums=[dict(k="x.......x.x.....", s=_BB, h=_E8), dict(k=_Q4, p=_BB, h=_E8)],
        prog=(["0:maj 7:maj 9:min 5:maj", "0:maj 5:maj 9:min 7:maj", "9:min 5:maj 0:maj 7:maj"],
              ["0:min 8:maj 3:maj 10:maj", "0:min 5:min 8:maj 7:maj"]),
        comp=["x---", "x-", "a-", "a"], bass=["R---", "R-"],
        pal=("piano:3 synth:3 guitar:2 dist:1 epiano:1", "bass:3 synbass:3",
             "synth:3 piano:2 guitar:2 square:1")),
    "reggae": dict(  # offbeat skank over a one-drop or steppers beat
        bpm=(65, 95), swing=(.54, .62, 8), av=(-.1, .35), kick=(.2, .4), lead=.6,
        drums=[dict(k=_DROP, m=_DROP, h=_E8), dict(k=_Q4, m=_DROP, h=_E8)],
        prog=(["0:maj 5:maj 7:maj 5:maj", "0:maj 0:maj 7:maj 7:maj"],
              ["0:min 5:min 0:min 5:min", "0:min 10:maj 0:min 10:maj"]),
        comp=[_OFF, "..xx"], bass=["..R---5-R-..3-5-", "R--.R-5-O---5-3-"],
        pal=("guitar:3 organ:3 piano:2 epiano:1 synth:1", "bass:5 synbass:1",
             "organ:2 synth:2 guitar:2 square:1")),
    "rock": dict(
        bpm=(100, 155), swing=(.5, .53, 8), av=(.45, 0.), kick=(.12, .25), lead=.6,
        drums=[dict(k="x.....x.x.......", s=_SN, h=_E8), dict(k="x.......x.x.....", s=_SN, r=_E8)],
        prog=(["0:maj 10:maj 5:maj 0:maj", "0:maj 5:maj 7:maj 5:maj", "0:5 5:5 7:5 0:5"],
              ["0:min 8:maj 10:maj 0:min", "0:5 8:5 10:5 0:5"]),
        comp=["x-------", "x-", _E8], bass=["R-", "R.RR"],
        pal=("dist:5 guitar:3 organ:1 piano:1", "bass:5", "dist:4 guitar:2 organ:1")),
}
