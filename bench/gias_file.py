#!/usr/bin/env python3
"""Writes a GIAS-shaped extract for the import benchmark: 130 columns as GIAS has, ROWS rows, every row of LA 999.

Usage: bench/gias_file.py ROWS OUT.csv [SEED]
Deterministic for a seed (printed), Windows-1252 like GIAS downloads, with quoted names holding commas and quotes.
"""
import random, sys

rows, out = int(sys.argv[1]), sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261203
print(f"gias_file: {rows} rows, seed {seed}", file=sys.stderr)
rng = random.Random(seed)
named = ["URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
         "EstablishmentStatus (name)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "NumberOfPupils",
         "FSM", "Trusts (code)", "Trusts (name)"]
filler = [f"Column{n} (name)" for n in range(130 - len(named))]
types = [("Community school", "Primary", 4, 11), ("Academy converter", "Primary", 4, 11), ("Community school", "Primary", 4, 7),
         ("Academy sponsor led", "Secondary", 11, 18), ("Foundation special school", "Not applicable", 2, 19),
         ("Pupil referral unit", "Not applicable", 11, 16), ("Free schools", "All-through", 4, 18)]
places = ["Ashdown", "Brackenridge", "Crag View", "St Thérèse’s", "Fellside", "Heatherbank", "Highmoor", "O'Neill, Smith"]
with open(out, "w", encoding="cp1252", newline="") as f:
    f.write(",".join(named + filler) + "\r\n")
    for i in range(rows):
        kind, phase, low, high = types[i % len(types)]
        name = f"{places[i % len(places)]} \"{i}\" School"
        trust = (str(20000 + i % 300), f"Trust {i % 300}") if "Academy" in kind else ("", "")
        values = [str(100000 + i), "999", "Example City", str(2000 + i % 8000), '"' + name.replace('"', '""') + '"', kind, "Open",
                  phase, str(low), str(high), str(rng.randint(50, 1500)), str(rng.randint(0, 400)), trust[0], trust[1]]
        values += ["Not applicable" if n % 3 else str(rng.randint(0, 99999)) for n in range(len(filler))]
        f.write(",".join(values) + "\r\n")
