"""The generated library: users, items (movies, series, music, home videos, playlists,
collections, live TV), and every user's played/favorite state.

Everything is built from a seeded generator, so one configuration always yields the same server.
Item ids are short numeric strings and user ids 32-hex strings, as on a real Emby server.
Lookups are dictionaries and per-type lists, so a library of 50,000 movies stays linear.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .clock import LIBRARY_EPOCH, Clock, hex_id, ticks
from .config import LIBRARY_KINDS, SimulatorConfig
from .models import Item, Task, Timer, User, UserData

ADJECTIVES = (
    "Silent", "Crimson", "Hidden", "Broken", "Golden", "Last", "Distant", "Frozen", "Electric",
    "Wild", "Quiet", "Burning", "Midnight", "Iron", "Lost", "Bright", "Hollow", "Secret", "Endless",
    "Savage", "Gentle", "Restless", "Shattered", "Velvet", "Northern", "Fading", "Copper", "Pale",
    "Rising", "Forgotten", "Lucky", "Stolen", "Final", "Little", "Brave", "Bitter", "Sweet",
    "Scarlet", "Open", "Falling",
)  # fmt: skip
NOUNS = (
    "Harbor", "Empire", "River", "Garden", "Signal", "Horizon", "Kingdom", "Letter", "Machine",
    "Mountain", "Ocean", "Promise", "Shadow", "Station", "Storm", "Summer", "Valley", "Voyage",
    "Winter", "Witness", "Island", "Engine", "Frontier", "Mirror", "Orchard", "Passage", "Road",
    "Circle", "Dawn", "Echo", "Forest", "Journey", "Legacy", "Lantern", "Meridian", "Protocol",
    "Sanctuary", "Tide", "Wolf", "Canyon",
)  # fmt: skip
FIRST_NAMES = (
    "Ada", "Ben", "Clara", "Dev", "Elena", "Felix", "Greta", "Hugo", "Iris", "Jonas", "Kira",
    "Liam", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Victor",
    "Wendy", "Xavier", "Yara", "Zane",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Holm", "Ibsen",
    "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi",
    "Schmidt", "Tanaka", "Ueda", "Varga", "Weber", "Young", "Zeller",
)  # fmt: skip
GENRES = (
    "Action", "Adventure", "Animation", "Comedy", "Crime", "Documentary", "Drama", "Family",
    "Fantasy", "History", "Horror", "Mystery", "Romance", "Science Fiction", "Thriller", "Western",
)  # fmt: skip
MUSIC_GENRES = ("Rock", "Jazz", "Electronic", "Classical", "Pop", "Folk", "Hip-Hop", "Blues")
STUDIOS = (
    "Northlight Pictures", "Blue Harbor Films", "Paper Crane Studios", "Meridian Entertainment",
    "Red Lantern", "Oakline Media", "Summit Bay", "Granite Works", "Little Fox Films",
    "Aurora Television", "Cobalt Network", "Ninth Wave",
)  # fmt: skip
RATINGS = ("G", "PG", "PG-13", "R", "TV-14", "TV-MA", "TV-PG")
USER_NAMES = (
    "Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
)  # fmt: skip
CHANNEL_NAMES = (
    "News 24", "Sports One", "Cinema Classics", "Kids Zone", "Nature HD", "Music Live",
    "Comedy Central", "History Plus", "Weather Now", "Travel TV", "Science Channel", "Drama Box",
)  # fmt: skip


class Library:
    """All data of the simulated server except clients and sessions."""

    def __init__(self, config: SimulatorConfig, clock: Clock) -> None:
        """Generate everything from `config.seed`."""
        self.config = config
        self.clock = clock
        self.server_id = config.effective_server_id()
        self._rng = random.Random(f"library-{config.seed}")
        self._next_id = 3
        self.items: dict[str, Item] = {}
        self.by_type: dict[str, list[str]] = {}
        self.users: list[User] = []
        self.user_data: dict[str, dict[str, UserData]] = {}
        self.libraries: list[Item] = []
        """Collection folders of the configured libraries (the virtual folders)."""
        self.views: list[Item] = []
        """Top-level views of a user with access to everything."""
        self.genre_ids: dict[str, str] = {}
        self.music_genre_ids: dict[str, str] = {}
        self.studio_ids: dict[str, str] = {}
        self.programs: dict[str, list[str]] = {}
        """Guide: channel id -> programme ids in airing order."""
        self.timers: list[Timer] = []
        self.series_timers: list[Timer] = []
        self.tasks: list[Task] = []
        self._entry_counter = 0
        self._generate()

    # -- ids ----------------------------------------------------------------------------------

    def new_id(self) -> str:
        """The next item id (numeric string, as Emby's)."""
        value = self._next_id
        self._next_id += 1
        return str(value)

    def new_entry_id(self) -> str:
        """A playlist entry id (PlaylistItemId)."""
        self._entry_counter += 1
        return str(self._entry_counter)

    def image_tag(self, item: Item, image_type: str) -> str:
        """The tag of an item's image (changes with every update of the item)."""
        return hex_id(self.server_id, item.id, image_type, item.revision)

    def add(self, item: Item) -> Item:
        """Register an item (and link it to its parent)."""
        self.items[item.id] = item
        self.by_type.setdefault(item.type, []).append(item.id)
        # Ids are never reused, so the child cannot be listed yet (no O(n) membership check:
        # a library of 50,000 movies has one parent with 50,000 children).
        if item.parent_id is not None and item.parent_id in self.items:
            self.items[item.parent_id].children.append(item.id)
        return item

    def of_type(self, item_type: str) -> list[Item]:
        """Every item of one type, in creation order."""
        return [self.items[i] for i in self.by_type.get(item_type, ())]

    def get(self, item_id: str) -> Item | None:
        """An item by id."""
        return self.items.get(item_id)

    def user(self, user_id: str) -> User | None:
        """A user by id (case-insensitive, dashes ignored, as Emby accepts both forms)."""
        wanted = user_id.replace("-", "").lower()
        return next((u for u in self.users if u.id == wanted), None)

    def library_of(self, kind: str) -> Item | None:
        """The library with that collection type, if configured."""
        return next((lib for lib in self.libraries if lib.collection_type == kind), None)

    # -- generation ---------------------------------------------------------------------------

    def _title(self, serial: int) -> str:
        rng = self._rng
        base = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        if rng.random() < 0.25:
            base = "The " + base
        # Past the combinations, sequels keep names distinct.
        round_ = serial // (len(ADJECTIVES) * len(NOUNS))
        return base if round_ == 0 else f"{base} {round_ + 1}"

    def _date(self, max_days: int) -> datetime:
        return LIBRARY_EPOCH - timedelta(
            days=self._rng.randint(0, max_days), seconds=self._rng.randint(0, 86399)
        )

    def _images(self, item: Item, *types: str) -> None:
        for image_type in types:
            item.images[image_type] = self.image_tag(item, image_type)

    def _generate(self) -> None:
        cfg = self.config
        self._generate_users()
        for name, kind in LIBRARY_KINDS[: cfg.libraries]:
            folder = self.add(
                Item(
                    id=self.new_id(),
                    type="CollectionFolder",
                    name=name,
                    collection_type=kind,
                    path=f"/media/{kind}",
                    created=LIBRARY_EPOCH - timedelta(days=1000),
                )
            )
            folder.library_id = folder.id
            self._images(folder, "Primary")
            self.libraries.append(folder)
        self.views = list(self.libraries)
        for name, kind in self._genre_tables():
            target = self.music_genre_ids if kind == "MusicGenre" else self.genre_ids
            target[name] = self.add(Item(id=self.new_id(), type=kind, name=name)).id
        for studio in STUDIOS:
            self.studio_ids[studio] = self.add(
                Item(id=self.new_id(), type="Studio", name=studio)
            ).id
        people = self._generate_people()
        if (movies := self.library_of("movies")) is not None:
            for n in range(cfg.movies):
                self._generate_movie(movies, n, people)
        if (shows := self.library_of("tvshows")) is not None:
            for n in range(cfg.series):
                self._generate_series(shows, n, people)
        if (music := self.library_of("music")) is not None:
            self._generate_music(music)
        if (home := self.library_of("homevideos")) is not None:
            for n in range(cfg.home_videos):
                self._generate_home_video(home, n)
        self._generate_collections()
        self._generate_playlists()
        self._generate_live_tv()
        self._generate_user_data()
        self._generate_tasks()

    def _genre_tables(self) -> list[tuple[str, str]]:
        return [(g, "Genre") for g in GENRES] + [(g, "MusicGenre") for g in MUSIC_GENRES]

    def _generate_users(self) -> None:
        for n in range(self.config.users):
            name = USER_NAMES[n % len(USER_NAMES)]
            if n >= len(USER_NAMES):
                name = f"{name} {n // len(USER_NAMES) + 1}"
            user = User(
                id=hex_id(self.server_id, "user", n),
                name=name,
                is_administrator=n == 0,
                # The 4th user is hidden from login screens, the 5th disabled: both exist on
                # real servers and clients must cope.
                is_hidden=n == 3,
                is_disabled=n == 4,
                enable_remote_control_of_other_users=n != 2,
                has_password=n != 1,
                primary_image_tag=hex_id(self.server_id, "user-image", n) if n % 2 == 0 else None,
                created=LIBRARY_EPOCH - timedelta(days=800 - n),
                last_login=self.clock.now() - timedelta(hours=3 + n),
                last_activity=self.clock.now() - timedelta(minutes=5 + n * 7),
            )
            self.users.append(user)
            self.user_data[user.id] = {}

    def _generate_people(self) -> list[str]:
        count = max(24, min(4000, self.config.movies * 2 + self.config.series * 4))
        ids = []
        for n in range(count):
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[(n // len(FIRST_NAMES)) % len(LAST_NAMES)]
            suffix = n // (len(FIRST_NAMES) * len(LAST_NAMES))
            person = self.add(
                Item(
                    id=self.new_id(),
                    type="Person",
                    name=f"{first} {last}" + (f" {suffix + 1}" if suffix else ""),
                )
            )
            if n % 2 == 0:
                self._images(person, "Primary")
            ids.append(person.id)
        return ids

    def _cast(self, people: list[str]) -> list[tuple[str, str, str]]:
        rng = self._rng
        cast = [(pid, f"Character {k + 1}", "Actor") for k, pid in enumerate(rng.sample(people, 3))]
        cast.append((rng.choice(people), "", "Director"))
        return cast

    def _generate_movie(self, library: Item, n: int, people: list[str]) -> None:
        rng = self._rng
        name = self._title(n)
        premiere = self._date(365 * 40)
        movie = Item(
            id=self.new_id(),
            type="Movie",
            name=name,
            library_id=library.id,
            parent_id=library.id,
            year=premiere.year,
            premiere=premiere,
            created=self._date(900),
            runtime_ticks=ticks(rng.randint(80, 170) * 60 + rng.randint(0, 59)),
            genres=rng.sample(GENRES, rng.randint(1, 3)),
            studios=[rng.choice(STUDIOS)],
            people=self._cast(people),
            official_rating=rng.choice(RATINGS[:4]),
            community_rating=round(rng.uniform(4.5, 9.2), 1),
            critic_rating=float(rng.randint(20, 99)),
            overview=f"{name}: a story about a {rng.choice(NOUNS).lower()} and what it costs.",
            container="mkv",
            path=f"/media/movies/{name} ({premiere.year})/{name} ({premiere.year}).mkv",
            bitrate=rng.randint(3_000_000, 18_000_000),
            width=1920,
            height=1080,
            provider_ids={"Imdb": f"tt{1000000 + n:07d}", "Tmdb": str(10000 + n)},
        )
        movie.size = (movie.bitrate or 0) // 8 * (movie.runtime_ticks or 0) // 10_000_000
        self.add(movie)
        self._images(movie, "Primary", "Backdrop", *(("Logo", "Thumb") if n % 3 == 0 else ()))

    def _generate_series(self, library: Item, n: int, people: list[str]) -> None:
        rng = self._rng
        cfg = self.config
        name = self._title(n + 7)
        premiere = self._date(365 * 20)
        series = self.add(
            Item(
                id=self.new_id(),
                type="Series",
                name=name,
                library_id=library.id,
                parent_id=library.id,
                year=premiere.year,
                premiere=premiere,
                created=self._date(900),
                genres=rng.sample(GENRES, rng.randint(1, 2)),
                studios=[rng.choice(STUDIOS[8:])],
                people=self._cast(people),
                official_rating=rng.choice(RATINGS[4:]),
                community_rating=round(rng.uniform(5.5, 9.5), 1),
                overview=f"{name}: a series about {rng.choice(NOUNS).lower()}s.",
                path=f"/media/tv/{name}",
                provider_ids={"Tvdb": str(300000 + n), "Imdb": f"tt{2000000 + n:07d}"},
                status="Continuing" if n % 2 == 0 else "Ended",
            )
        )
        self._images(series, "Primary", "Backdrop", "Logo", "Thumb")
        episode_minutes = rng.choice((22, 30, 45, 55))
        for s in range(1, cfg.seasons_per_series + 1):
            season = self.add(
                Item(
                    id=self.new_id(),
                    type="Season",
                    name=f"Season {s}",
                    library_id=library.id,
                    parent_id=series.id,
                    series_id=series.id,
                    index=s,
                    year=premiere.year + s - 1,
                    premiere=premiere + timedelta(days=365 * (s - 1)),
                    created=series.created,
                    path=f"{series.path}/Season {s}",
                )
            )
            self._images(season, "Primary")
            for e in range(1, cfg.episodes_per_season + 1):
                aired = premiere + timedelta(days=365 * (s - 1) + 7 * (e - 1))
                episode = Item(
                    id=self.new_id(),
                    type="Episode",
                    name=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
                    library_id=library.id,
                    parent_id=season.id,
                    series_id=series.id,
                    season_id=season.id,
                    index=e,
                    parent_index=s,
                    year=aired.year,
                    premiere=aired,
                    created=series.created + timedelta(days=s * 30 + e),
                    runtime_ticks=ticks(episode_minutes * 60 + rng.randint(-90, 90)),
                    genres=list(series.genres),
                    overview=f"Episode {e} of season {s}.",
                    container="mkv",
                    path=f"{season.path}/{name} S{s:02d}E{e:02d}.mkv",
                    bitrate=rng.randint(2_000_000, 8_000_000),
                    width=1920,
                    height=1080,
                    official_rating=series.official_rating,
                    community_rating=round(rng.uniform(6.0, 9.5), 1),
                )
                episode.size = (episode.bitrate or 0) // 8 * (episode.runtime_ticks or 0) // 10**7
                self.add(episode)
                self._images(episode, "Primary")

    def _generate_music(self, library: Item) -> None:
        rng = self._rng
        cfg = self.config
        artists = []
        for n in range(cfg.artists):
            artist = self.add(
                Item(
                    id=self.new_id(),
                    type="MusicArtist",
                    name=f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}s"
                    if n % 2
                    else f"{FIRST_NAMES[(n * 7) % len(FIRST_NAMES)]} {rng.choice(NOUNS)}",
                    library_id=library.id,
                    parent_id=library.id,
                    genres=[rng.choice(MUSIC_GENRES)],
                    created=self._date(900),
                    overview="An artist of the simulated library.",
                )
            )
            self._images(artist, "Primary", "Backdrop")
            artists.append(artist)
        if not artists:
            return
        for n in range(cfg.albums):
            artist = artists[n % len(artists)]
            released = self._date(365 * 30)
            album = self.add(
                Item(
                    id=self.new_id(),
                    type="MusicAlbum",
                    name=f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}",
                    library_id=library.id,
                    parent_id=artist.id,
                    artist_ids=[artist.id],
                    year=released.year,
                    premiere=released,
                    created=self._date(900),
                    genres=list(artist.genres),
                )
            )
            album.path = f"/media/music/{artist.name}/{album.name}"
            self._images(album, "Primary")
            for t in range(1, cfg.tracks_per_album + 1):
                track = Item(
                    id=self.new_id(),
                    type="Audio",
                    name=f"{rng.choice(NOUNS)} {rng.choice(('Song', 'Blues', 'Waltz', 'Run'))}",
                    library_id=library.id,
                    parent_id=album.id,
                    album_id=album.id,
                    artist_ids=[artist.id],
                    index=t,
                    parent_index=1,
                    year=album.year,
                    premiere=released,
                    created=album.created,
                    runtime_ticks=ticks(rng.randint(120, 420)),
                    genres=list(album.genres),
                    container="flac",
                    path=f"{album.path}/{t:02d}.flac",
                    bitrate=rng.randint(800_000, 1_100_000),
                )
                track.size = (track.bitrate or 0) // 8 * (track.runtime_ticks or 0) // 10**7
                self.add(track)

    def _generate_home_video(self, library: Item, n: int) -> None:
        rng = self._rng
        shot = self._date(365 * 5)
        video = self.add(
            Item(
                id=self.new_id(),
                type="Video",
                name=f"{('Holiday', 'Birthday', 'Garden', 'Beach', 'Concert')[n % 5]} {shot.year}",
                library_id=library.id,
                parent_id=library.id,
                year=shot.year,
                premiere=shot,
                created=shot,
                runtime_ticks=ticks(rng.randint(30, 900)),
                container="mp4",
                path=f"/media/homevideos/{n:03d}.mp4",
                bitrate=rng.randint(4_000_000, 12_000_000),
                width=1920,
                height=1080,
            )
        )
        self._images(video, "Primary")

    def _special_folder(self, item_type: str, name: str, kind: str) -> Item:
        folder = self.add(
            Item(
                id=self.new_id(),
                type=item_type,
                name=name,
                collection_type=kind,
                created=LIBRARY_EPOCH - timedelta(days=900),
            )
        )
        folder.library_id = folder.id
        self._images(folder, "Primary")
        self.views.append(folder)
        return folder

    def _generate_collections(self) -> None:
        movies = self.by_type.get("Movie", [])
        if not self.config.collections or not movies:
            return
        folder = self._special_folder("CollectionFolder", "Collections", "boxsets")
        for n in range(self.config.collections):
            box = self.add(
                Item(
                    id=self.new_id(),
                    type="BoxSet",
                    name=f"{self._rng.choice(NOUNS)} Collection",
                    library_id=folder.id,
                    parent_id=folder.id,
                    created=self._date(600),
                    overview="A collection of the simulated library.",
                )
            )
            box.children = self._rng.sample(movies, min(len(movies), 2 + n % 3))
            self._images(box, "Primary")

    def _generate_playlists(self) -> None:
        tracks = self.by_type.get("Audio", [])
        videos = self.by_type.get("Movie", []) + self.by_type.get("Episode", [])
        if not self.config.playlists or not (tracks or videos):
            return
        folder = self._special_folder("PlaylistsFolder", "Playlists", "playlists")
        for n in range(self.config.playlists):
            pool = tracks if (n % 2 == 0 and tracks) or not videos else videos
            playlist = self.add(
                Item(
                    id=self.new_id(),
                    type="Playlist",
                    name=f"{self._rng.choice(ADJECTIVES)} Mix" if pool is tracks else "Watch Later",
                    library_id=folder.id,
                    parent_id=folder.id,
                    created=self._date(300),
                    collection_type="music" if pool is tracks else "movies",
                )
            )
            for item_id in self._rng.sample(pool, min(len(pool), 5 + n)):
                playlist.entries.append((self.new_entry_id(), item_id))
            self._images(playlist, "Primary")

    def _generate_live_tv(self) -> None:
        cfg = self.config
        if not cfg.channels:
            return
        self._special_folder("UserView", "Live TV", "livetv")
        now = self.clock.now().replace(minute=0, second=0, microsecond=0)
        channels = []
        for n in range(cfg.channels):
            channel = self.add(
                Item(
                    id=self.new_id(),
                    type="TvChannel",
                    name=CHANNEL_NAMES[n % len(CHANNEL_NAMES)],
                    channel_number=f"{n + 2}.1",
                    created=LIBRARY_EPOCH,
                )
            )
            self._images(channel, "Primary")
            channels.append(channel)
            for slot in range(4):
                program = self.add(
                    Item(
                        id=self.new_id(),
                        type="Program",
                        name=f"{self._rng.choice(ADJECTIVES)} {self._rng.choice(NOUNS)} Show",
                        parent_id=None,
                        start=now + timedelta(hours=slot),
                        end=now + timedelta(hours=slot + 1),
                        runtime_ticks=ticks(3600),
                        overview="A programme of the simulated guide.",
                    )
                )
                program.series_id = channel.id  # the channel it airs on (internal link)
                self.programs.setdefault(channel.id, []).append(program.id)
        for n in range(cfg.recordings):
            channel = channels[n % len(channels)]
            start = now - timedelta(days=n + 1, hours=2)
            self.add(
                Item(
                    id=self.new_id(),
                    type="Recording",
                    name=f"{self._rng.choice(NOUNS)} Tonight",
                    channel_number=channel.channel_number,
                    season_id=channel.id,  # internal link to the channel
                    start=start,
                    end=start + timedelta(hours=1),
                    created=start,
                    runtime_ticks=ticks(3600),
                    status="Completed" if n else "InProgress",
                    container="ts",
                    path=f"/recordings/{n:03d}.ts",
                )
            )
        programs = self.by_type.get("Program", [])
        for n in range(min(cfg.timers, len(programs))):
            program = self.items[programs[(n * 4 + 1) % len(programs)]]
            self.timers.append(
                Timer(
                    id=hex_id(self.server_id, "timer", n),
                    channel_id=program.series_id or "",
                    program_id=program.id,
                    name=program.name,
                    start=program.start or now,
                    end=program.end or now,
                )
            )
        for n in range(min(cfg.series_timers, len(programs))):
            program = self.items[programs[(n * 4 + 2) % len(programs)]]
            self.series_timers.append(
                Timer(
                    id=hex_id(self.server_id, "series-timer", n),
                    channel_id=program.series_id or "",
                    program_id=program.id,
                    name=program.name,
                    start=program.start or now,
                    end=program.end or now,
                    series=True,
                )
            )

    def _generate_user_data(self) -> None:
        for n, user in enumerate(self.users):
            rng = random.Random(f"userdata-{self.config.seed}-{n}")
            data = self.user_data[user.id]
            base = self.clock.now()
            for item_id in self.by_type.get("Movie", ()):
                r = rng.random()
                if r < 0.3:
                    data[item_id] = UserData(
                        played=True,
                        play_count=1 + int(r * 10) % 3,
                        last_played=base - timedelta(days=rng.randint(1, 400)),
                    )
                elif r < 0.34:
                    runtime = self.items[item_id].runtime_ticks or 0
                    data[item_id] = UserData(
                        position_ticks=int(runtime * rng.uniform(0.1, 0.8)) // 10**7 * 10**7,
                        last_played=base - timedelta(hours=rng.randint(1, 200)),
                    )
                if rng.random() < 0.1:
                    data.setdefault(item_id, UserData()).is_favorite = True
            for series_id in self.by_type.get("Series", ()):
                if rng.random() < 0.6:
                    episodes = self.episodes_of(series_id)
                    watched = rng.randint(1, max(1, len(episodes) - 1))
                    when = base - timedelta(days=rng.randint(1, 60))
                    for k, episode in enumerate(episodes[:watched]):
                        data[episode.id] = UserData(
                            played=True,
                            play_count=1,
                            last_played=when + timedelta(minutes=45 * k),
                        )
                    if watched < len(episodes) and rng.random() < 0.4:
                        nxt = episodes[watched]
                        data[nxt.id] = UserData(
                            position_ticks=(nxt.runtime_ticks or 0) // 3 // 10**7 * 10**7,
                            last_played=when + timedelta(minutes=45 * watched),
                        )
                if rng.random() < 0.3:
                    data.setdefault(series_id, UserData()).is_favorite = True
            for item_id in self.by_type.get("Audio", ()):
                if rng.random() < 0.05:
                    data[item_id] = UserData(
                        is_favorite=True,
                        played=True,
                        play_count=rng.randint(1, 30),
                        last_played=base - timedelta(days=rng.randint(1, 100)),
                    )

    def _generate_tasks(self) -> None:
        table = (
            ("RefreshLibrary", "Scan media library", "Library", "Scans your media library for "
             "new files and refreshes metadata.", 90.0),
            ("RefreshPeople", "Refresh people", "Library", "Updates metadata for actors and "
             "directors in your media library.", 120.0),
            ("RefreshChapterImages", "Thumbnail image extraction", "Library", "Creates "
             "thumbnails for videos that have chapters.", 300.0),
            ("DeleteCacheFiles", "Cache file cleanup", "Maintenance", "Deletes cache files no "
             "longer needed by the system.", 20.0),
            ("CleanLogFiles", "Log file cleanup", "Maintenance", "Deletes log files that are "
             "more than 3 days old.", 5.0),
            ("SystemUpdateTask", "Check for application updates", "Application", "Downloads "
             "and installs application updates.", 10.0),
            ("PluginUpdates", "Check for plugin updates", "Application", "Downloads and "
             "installs updates for plugins.", 10.0),
            ("RefreshGuide", "Refresh Guide", "Live TV", "Downloads channel information from "
             "live tv services.", 60.0),
            ("DownloadSubtitles", "Download missing subtitles", "Library", "Searches the "
             "internet for missing subtitles.", 45.0),
            ("ScanInternalMetadataFolder", "Scan Metadata Folder", "Library", "Scans the "
             "internal metadata folder.", 30.0),
        )  # fmt: skip
        for key, name, category, description, duration in table:
            task = Task(
                id=hex_id(self.server_id, "task", key),
                key=key,
                name=name,
                category=category,
                description=description,
                duration=duration,
                is_hidden=key == "ScanInternalMetadataFolder",
            )
            ended = self.clock.now() - timedelta(hours=self._rng.randint(1, 20))
            task.last_result = {
                "StartTimeUtc": ended - timedelta(seconds=duration),
                "EndTimeUtc": ended,
                "Status": "Completed",
                "Name": name,
                "Key": key,
                "Id": task.id,
            }
            self.tasks.append(task)

    # -- navigation ---------------------------------------------------------------------------

    def children_of(self, item: Item) -> list[Item]:
        """Direct children in Emby's order."""
        if item.type == "Playlist":
            return [self.items[i] for _, i in item.entries if i in self.items]
        return [self.items[i] for i in item.children if i in self.items]

    def episodes_of(self, series_id: str) -> list[Item]:
        """A series' episodes in order (season, episode)."""
        series = self.items.get(series_id)
        if series is None:
            return []
        episodes = []
        for season_id in series.children:
            season = self.items.get(season_id)
            if season is not None:
                episodes.extend(self.children_of(season))
        return episodes

    def descendants(self, item: Item) -> list[Item]:
        """Every item below a folder (depth first, in order)."""
        out: list[Item] = []
        stack = list(reversed(self.children_of(item)))
        seen: set[str] = set()
        while stack:
            child = stack.pop()
            if child.id in seen:
                continue
            seen.add(child.id)
            out.append(child)
            if child.is_folder and child.type not in ("BoxSet", "Playlist"):
                stack.extend(reversed(self.children_of(child)))
        return out

    def playable(self, item: Item) -> list[Item]:
        """What playing an item plays: itself, or the playable items below a folder."""
        if not item.is_folder:
            return [item]
        if item.type == "MusicArtist":
            return [t for album in self.children_of(item) for t in self.children_of(album)]
        if item.type in ("BoxSet", "Playlist"):
            out = []
            for child in self.children_of(item):
                out.extend(self.playable(child))
            return out
        return [c for c in self.descendants(item) if not c.is_folder]

    def user_data_of(self, user_id: str, item_id: str) -> UserData:
        """A user's data of an item (a fresh default if there is none; not stored)."""
        return self.user_data.get(user_id, {}).get(item_id) or UserData()

    def store_user_data(self, user_id: str, item_id: str) -> UserData:
        """A user's data of an item, created (and stored) if missing."""
        return self.user_data.setdefault(user_id, {}).setdefault(item_id, UserData())

    def unplayed_count(self, user_id: str, item: Item) -> int:
        """Unplayed playable items below a folder, for one user."""
        data = self.user_data.get(user_id, {})
        return sum(1 for c in self.playable(item) if not (d := data.get(c.id)) or not d.played)

    def is_played(self, user_id: str, item: Item) -> bool:
        """Played state as Emby reports it (folders: every child played)."""
        if item.type in ("Series", "Season", "MusicAlbum", "BoxSet"):
            return self.unplayed_count(user_id, item) == 0
        return self.user_data_of(user_id, item.id).played

    def allowed_libraries(self, user: User | None) -> set[str] | None:
        """Library ids a user may see (None: all)."""
        if user is None or user.enabled_folders is None:
            return None
        return set(user.enabled_folders) | {v.id for v in self.views if v not in self.libraries}

    def visible(self, user: User | None, item: Item) -> bool:
        """Whether a user may see an item."""
        allowed = self.allowed_libraries(user)
        return allowed is None or item.library_id is None or item.library_id in allowed

    # -- mutations ----------------------------------------------------------------------------

    def add_movies(self, count: int) -> list[Item]:
        """New movies (dated now), as a scan would find them."""
        library = self.library_of("movies") or (self.libraries[0] if self.libraries else None)
        if library is None:
            return []
        people = self.by_type.get("Person", [])
        out = []
        for _ in range(count):
            serial = len(self.by_type.get("Movie", ()))
            self._generate_movie(library, serial, people)
            movie = self.items[self.by_type["Movie"][-1]]
            movie.created = self.clock.now()
            out.append(movie)
        return out

    def touch(self, item: Item) -> None:
        """An update: new revision (image tags and Etag change)."""
        item.revision += 1
        for image_type in list(item.images):
            item.images[image_type] = self.image_tag(item, image_type)

    def remove(self, item: Item) -> list[Item]:
        """Remove an item and everything below it; returns what was removed."""
        removed = [item]
        if item.type not in ("BoxSet", "Playlist"):
            removed.extend(self.descendants(item))
        gone = {r.id for r in removed}
        for r in removed:
            self.items.pop(r.id, None)
            ids = self.by_type.get(r.type)
            if ids is not None and r.id in ids:
                ids.remove(r.id)
        for parent_id in {r.parent_id for r in removed if r.parent_id}:
            parent = self.items.get(parent_id)
            if parent is not None:
                parent.children = [c for c in parent.children if c not in gone]
        for box_id in self.by_type.get("BoxSet", ()):
            box = self.items[box_id]
            box.children = [c for c in box.children if c not in gone]
        for playlist_id in self.by_type.get("Playlist", ()):
            playlist = self.items[playlist_id]
            playlist.entries = [e for e in playlist.entries if e[1] not in gone]
        for data in self.user_data.values():
            for item_id in gone:
                data.pop(item_id, None)
        return removed
