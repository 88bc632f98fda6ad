"""Multilingual cue lexicons for telling page chrome from article text.

Small, hand-kept word lists in the ten languages we read most (en, de, fr, es, it, pt, nl,
ru, uk, pl). They are features, not rules: the text extractor feeds a hit into its line
model together with length, punctuation and position, so a body sentence that happens to
say "subscribe" is not dropped for it. Each list is compiled once into one regex.

Keep entries lower-case; matching is case-insensitive and on word boundaries.
"""

from __future__ import annotations

import re


def _lexicon(text: str) -> tuple[str, ...]:
    """Phrases from a block of ``lang: a | b | c`` lines (a line may go on after a trailing ``|``)."""
    phrases: list[str] = []
    for line in text.replace("|\n", "| ").splitlines():
        _, _, rest = line.rpartition(": ") if re.match(r"^[a-z]{2}: ", line) else ("", "", line)
        phrases.extend(p.strip() for p in rest.split("|") if p.strip())
    return tuple(dict.fromkeys(phrases))


# ------------------------------------------------------------------ line cues, by kind
# A hit on a short line is a strong sign of chrome; on a long sentence a weak one.

SUBSCRIBE = _lexicon(
    """
en: subscribe | subscribers | subscription | sign up | sign-up | signup | sign in | log in | login |
    follow us | follow | follow on |
    log out | register | newsletter | newsletters | create an account | create a free account |
    your inbox | get the latest | premium | paywall | already a subscriber | unlimited access |
    free trial | my account | join now | become a member | support our journalism | donate
de: abonnieren | abonnement | abo | anmelden | abmelden | registrieren | einloggen | jetzt lesen |
    folgen sie uns | folge uns | unterstützen sie uns | unterstütze uns |
    newsletter bestellen | zum newsletter | plus-artikel | mein konto
fr: s'abonner | abonnez-vous | abonné | abonnés | se connecter | connexion | inscrivez-vous | suivez-nous |
    s'inscrire | mon compte | lettre d'information
es: suscríbete | suscribirse | suscripción | suscriptores | iniciar sesión | regístrate | boletín | síguenos |
    mi cuenta
it: abbonati | abbonamento | iscriviti | accedi | registrati | il mio account
pt: assine | assinatura | assinante | inscreva-se | cadastre-se | minha conta
nl: abonneren | abonnee | inloggen | aanmelden | registreren | nieuwsbrief | mijn account
ru: подписаться | подписка | подпишитесь | войти | регистрация | рассылка | личный кабинет
uk: підписатися | підписка | підпишіться | увійти | реєстрація | розсилка
pl: subskrybuj | subskrypcja | zaloguj | zarejestruj | prenumerata | prenumeruj | moje konto
"""
)

COOKIE = _lexicon(
    """
cookie | cookies | consent | we use cookies | accept all | reject all | manage preferences |
    privacy settings | cookie settings | privacy policy | do not sell | datenschutz |
    datenschutzerklärung | alle akzeptieren | einwilligung | zustimmen | confidentialité |
    tout accepter | tout refuser | consentement | privacidad | aceptar todo | aceptar |
    consentimiento | accetta | accetta tutto | consenso | informativa | privacidade | aceitar |
    consentimento | privacyverklaring | accepteren | toestemming | конфиденциальности | согласие |
    принять | конфіденційності | згода | прийняти | prywatności | akceptuj | zgoda | zgadzam się |
    externer inhalt | externe inhalte | empfohlener redaktioneller inhalt | inhalt laden |
    um den inhalt von | contenu externe | contenido externo | contenuto esterno | external content |
    load content | inhalte anzeigen
"""
)

SHARE = _lexicon(
    """
share | shares | share this | share on | tweet | facebook | twitter | whatsapp | linkedin |
    pinterest | reddit | telegram | email | e-mail | print | copy link | copy url | link copied |
    teilen | drucken | link kopieren | partager | imprimer | copier le lien | compartir | imprimir |
    condividi | stampa | compartilhar | delen | printen | поделиться | поділитися | udostępnij |
    drukuj | skopiuj link
"""
)

RELATED = _lexicon(
    """
en: related | related articles | related stories | related content | related posts | related news |
    related topics | more from | more on this | more on this story | more stories | more news |
    read more | read next | read also | also read | see also | you may also like |
    you might also like | you may be interested | recommended | recommended for you | trending |
    trending now | top stories | most read | most popular | most viewed | popular | latest |
    latest news | latest stories | similar articles | editor's picks | editors' picks | don't miss |
    further reading | in other news | up next | around the web | more in | keep reading |
    what to read next | explore more | promoted stories | related reading | more like this |
    you may have missed | recommended reading | popular stories | read this next | recent articles |
    recent posts | recent stories | recent news | latest articles | latest posts | more articles |
    more posts | more videos | other articles | other stories | popular posts | popular articles |
    featured articles | featured posts | related videos | related links | you may also be interested in |
    filed under | more about
de: ähnliche artikel | ähnliche themen | mehr zum thema | lesen sie auch | lesen sie mehr |
    auch interessant | das könnte sie auch interessieren | das könnte sie interessieren |
    meistgelesen | meistgelesene artikel | weitere artikel | weitere nachrichten | empfehlungen |
    top-themen | verwandte themen | mehr aus | mehr lesen | weiterlesen | zum thema | beliebt |
    neueste artikel | aktuelle nachrichten | das könnte dich auch interessieren |
    das könnte dich interessieren | könnte sie auch interessieren | könnte dich auch interessieren |
    mehr dazu | lesen sie dazu | lesen sie dazu auch | lies auch | auch lesenswert | passend dazu |
    weitere themen | meistgelesene | top-artikel | ähnliche beiträge | verwandte beiträge | weitere beiträge |
    neueste beiträge | noch mehr infos | schlagwörter | schlagworte | stichworte |
    dieser beitrag wurde veröffentlicht in
fr: à lire aussi | a lire aussi | lire aussi | lire la suite | sur le même sujet |
    articles similaires | les plus lus | à découvrir | voir aussi | dans la même rubrique |
    vous aimerez aussi | à la une | en continu | articles liés | lire également | à voir aussi |
    sur le même thème | nos articles | les plus populaires | mots-clés
es: leer más | lee también | lea también | te puede interesar | le puede interesar |
    noticias relacionadas | lo más leído | más noticias | artículos relacionados | más leídas |
    también te puede interesar | relacionado | relacionados | vea también | ver también |
    mira también | lee además | lea además | más información | te recomendamos | lo último | lea más |
    lee más | mirá también | las más vistas | lo más visto | etiquetas
it: leggi anche | potrebbe interessarti | articoli correlati | i più letti | più letti |
    ti potrebbe interessare | correlati | leggi di più | altre notizie
pt: leia também | veja também | leia mais | mais lidas | notícias relacionadas | relacionadas |
    mais notícias | você pode gostar | leia ainda | saiba mais | veja mais
nl: lees ook | meer over | gerelateerd | gerelateerde artikelen | meest gelezen | lees meer |
    ook interessant | meer nieuws
ru: читайте также | по теме | похожие | похожие новости | самое читаемое | популярное | ещё по теме |
    еще по теме | другие новости | главное | последние новости
uk: читайте також | по темі | схожі | найпопулярніше | інші новини | головне | останні новини
pl: czytaj także | czytaj też | czytaj więcej | zobacz też | zobacz także | najczęściej czytane |
    polecamy | podobne artykuły | powiązane | najnowsze
"""
)

APP = _lexicon(
    """
download our app | download the app | get the app | get our app | app store | google play |
    download on the | get it on | our app | in the app | lade die app | unsere app | jetzt die app |
    app herunterladen | télécharger l'application | téléchargez l'application | notre application |
    descarga la app | descarga nuestra app | nuestra aplicación | scarica l'app |
    scarica la nostra app | baixe o app | baixe o aplicativo | nosso aplicativo | download de app |
    onze app | скачайте приложение | наше приложение | завантажте застосунок | наш застосунок |
    pobierz aplikację | naszą aplikację
"""
)

FEEDBACK = _lexicon(
    """
help us improve | was this article helpful | was this helpful | was this page helpful | feedback |
    send feedback | give feedback | report an error | report a correction | report a typo |
    rate this article | did you find | tell us what you think | spotted an error | fehler melden |
    fehler gefunden | war dieser artikel hilfreich | signaler une erreur |
    cet article vous a-t-il été utile | reportar un error | segnala un errore | reportar erro |
    fout gezien | сообщить об ошибке | повідомити про помилку | zgłoś błąd
"""
)

COMMENT = _lexicon(
    """
comment | comments | leave a comment | leave a reply | post a comment | join the discussion |
    join the conversation | show comments | view comments | add a comment | reply | replies |
    kommentar | kommentare | kommentieren | commentaire | commentaires | réagir | comentario |
    comentarios | commento | commenti | comentário | comentários | reactie | reacties | комментарий |
    комментарии | коментар | коментарі | komentarz | komentarze
"""
)

LEGAL = _lexicon(
    """
all rights reserved | copyright | terms of use | terms of service | terms and conditions |
    privacy notice | imprint | impressum | contact us | about us | advertise | advertise with us |
    careers | sitemap | site map | accessibility | cookie policy | legal notice |
    alle rechte vorbehalten | kontakt | agb | nutzungsbedingungen | tous droits réservés |
    mentions légales | nous contacter | cgu | todos los derechos reservados | aviso legal | contacto |
    quiénes somos | tutti i diritti riservati | note legali | contatti | chi siamo |
    todos os direitos reservados | fale conosco | termos de uso | alle rechten voorbehouden |
    algemene voorwaarden | все права защищены | контакты | о нас | всі права захищені | контакти |
    про нас | wszelkie prawa zastrzeżone | regulamin | o nas
"""
)

NAV = _lexicon(
    """
skip to content | skip to main content | skip to navigation | jump to | menu | main menu |
    navigation | search | home | homepage | close | open | back to top | next | previous | prev |
    load more | show more | see more | see all | view all | more | toggle | expand | collapse |
    listen | listen to this article | text size | font size | dark mode | edition |
    zum inhalt springen | zur navigation | suche | startseite | schließen | weiter | zurück |
    mehr anzeigen | alle anzeigen | vorlesen | aller au contenu | rechercher | accueil | fermer |
    suivant | précédent | voir plus | voir tout | ir al contenido | buscar | inicio | cerrar |
    siguiente | anterior | ver más | ver todo | vai al contenuto | cerca | chiudi | successivo |
    precedente | mostra di più | pular para o conteúdo | pesquisar | início | fechar | próximo |
    ver mais | naar inhoud | zoeken | sluiten | volgende | vorige | meer | перейти к содержанию |
    главная | поиск | меню | закрыть | далее | назад | ещё | головна | пошук | закрити | далі |
    більше | przejdź do treści | strona główna | szukaj | zamknij | dalej | wstecz | więcej
"""
)

AD = _lexicon(
    """
advertisement | advertising | sponsored | sponsored content | partner content | paid content |
    paid post | promoted | ad | ads | affiliate | anzeige | werbung | gesponsert | publicité |
    sponsorisé | publicidad | patrocinado | pubblicità | sponsorizzato | publicidade | advertentie |
    gesponsord | реклама | reklama | artykuł sponsorowany
"""
)

TRANSLATION = _lexicon(
    """
translated by | this article was translated | translated from | translation by | machine translated |
    automatically translated | translated with | übersetzt von | aus dem englischen | übersetzung |
    traduit par | traduit de | traduction | traducido por | traducción | tradotto da | traduzione |
    traduzido por | tradução | vertaald door | vertaling | перевод | переведено | переклад |
    перекладено | tłumaczenie | przetłumaczone
"""
)

CUE_KINDS: dict[str, tuple[str, ...]] = {
    "subscribe": SUBSCRIBE,
    "cookie": COOKIE,
    "share": SHARE,
    "related": RELATED,
    "app": APP,
    "feedback": FEEDBACK,
    "comment": COMMENT,
    "legal": LEGAL,
    "nav": NAV,
    "ad": AD,
    "translation": TRANSLATION,
}

# Imperatives that open a sign-up, download or feedback prompt ("Sign up for our briefing…").
PROMPT_VERBS = _lexicon(
    """
en: subscribe | sign | register | download | get | join | help | was | create | log | install | follow |
    support
de: abonnieren | abonnieren sie | melden | registrieren | laden | holen | hilf | helfen | war | folgen |
    folge | unterstützen | unterstütze
fr: abonnez-vous | inscrivez-vous | téléchargez | télécharger | aidez-nous | créez | connectez-vous
es: suscríbete | suscribete | regístrate | descarga | descargue | ayúdanos | únete
it: abbonati | iscriviti | scarica | aiutaci | registrati
pt: assine | inscreva-se | baixe | cadastre-se | ajude-nos
nl: abonneer | meld | download | help | registreer
ru: подпишитесь | подписывайтесь | скачайте | помогите | зарегистрируйтесь
uk: підпишіться | підписуйтесь | завантажте | допоможіть | зареєструйтеся
pl: zapisz | subskrybuj | pobierz | pomóż | zarejestruj
"""
)

# Headings of an author box: the short bio under them is chrome, not the story.
AUTHOR_BOX = _lexicon(
    """
en: about the author | about the authors | about the writer | author bio | the author
de: über den autor | über die autorin | zum autor | zur autorin | über die autoren | die autorin | der autor
fr: à propos de l'auteur | l'auteur | à propos de l'autrice
es: sobre el autor | sobre la autora | el autor | la autora
it: l'autore | sull'autore | l'autrice
pt: sobre o autor | sobre a autora | o autor
nl: over de auteur | over de schrijver
ru: об авторе | автор
uk: про автора | автор
pl: o autorze | o autorce
"""
)

# Headings that open a block of links to other articles: the heading and the short,
# headline-like lines under it are dropped together.
RELATED_HEADINGS = RELATED

# ------------------------------------------------------------------ bylines, sources, credits

BYLINE_PREFIXES = _lexicon(
    """
by | written by | words by | reporting by | reported by | story by | author | authors | posted by |
    published by | von | veröffentlicht von | geschrieben von | verfasst von | erstellt von | autor |
    autorin | autoren | text | text von | par | écrit par | publié par | por | escrito por |
    publicado por | di | a cura di | pubblicato da |
    door | geschreven door | geplaatst door | автор | авторы | текст | автори | autorka | autorzy | tekst
"""
)

# Joiners between several authors in one byline.
NAME_JOINERS = ("and", "&", "und", "et", "y", "e", "en", "i", "и", "і", "та", "oraz", "with")

# Sentences naming where a re-served article first appeared; the words after the cue name the publisher.
SOURCE_CUES = _lexicon(
    """
en: this article originally appeared on | this article originally appeared in |
    this article was originally published on | this article was originally published by |
    this article was originally published in | this story originally appeared on |
    this story originally appeared in | this story was originally published by |
    this story was first published by | this story was first published on |
    this article first appeared on | this article first appeared in | originally published by |
    originally published on | originally published in | originally published at |
    originally appeared on | originally appeared in | first published by | first published on |
    first appeared on | first appeared in | republished from | republished with permission from |
    reprinted with permission from | this article is republished from
de: dieser artikel erschien zuerst bei | dieser artikel erschien zuerst auf | zuerst erschienen bei |
    zuerst erschienen auf | erstmals erschienen bei | mit material von
fr: cet article a été initialement publié sur | cet article a été initialement publié par |
    publié initialement par | publié initialement sur | article paru initialement dans
es: publicado originalmente en | publicado originalmente por | este artículo fue publicado originalmente en
it: pubblicato originariamente su | pubblicato originariamente da | articolo originariamente pubblicato su
pt: publicado originalmente em | publicado originalmente por
nl: oorspronkelijk gepubliceerd door | oorspronkelijk verschenen in | oorspronkelijk verschenen op
ru: впервые опубликовано в | первоначально опубликовано в
uk: вперше опубліковано в | першоджерело
pl: pierwotnie opublikowano w | artykuł ukazał się pierwotnie w
"""
)

# Short labels ("Source: AFP", "via Reuters"): trusted only with a known publisher or near the body's edge.
SOURCE_LABELS = _lexicon(
    """
source | sources | via | quelle | quellen | source | fuente | fonte | bron | источник | джерело | źródło
"""
)

# Wire services and big publishers, so "Source: AFP" or "via Reuters" can be trusted even
# in a short line without a stronger cue.
KNOWN_PUBLISHERS = _lexicon(
    """
reuters | afp | agence france-presse | agence france presse | ap | associated press |
    the associated press | bloomberg | dpa | deutsche presse-agentur | efe | agencia efe | ansa |
    xinhua | kyodo | kyodo news | yonhap | pa | pa media | press association | tass | interfax |
    ria novosti | ukrinform | unian | pap | anp | belga | lusa | europa press | apa | kna | epd |
    sda | keystone-sda | upi | cnn | bbc | bbc news | the guardian | guardian | the new york times |
    new york times | the washington post | washington post | the conversation | cnbc | fortune |
    business insider | insider | al jazeera | deutsche welle | dw | le monde | der spiegel | spiegel |
    el país | el pais | the independent | the telegraph | financial times | the wall street journal |
    wall street journal | politico | axios | npr | abc news | cbs news | nbc news | fox news |
    usa today | the hill | newsweek | time | the atlantic | wired | techcrunch | the verge |
    engadget | ars technica | yahoo news | msn | zeit online | tagesschau | süddeutsche zeitung |
    faz | handelsblatt | le figaro | libération | france 24 | rfi | corriere della sera |
    la repubblica | folha | o globo | nos | de volkskrant | meduza | ukrainska pravda |
    kyiv independent | gazeta wyborcza | rzeczpospolita
"""
)

CREDIT_PREFIXES = _lexicon(
    """
photo | photos | photograph | photography | photo credit | image | images | image credit | picture |
    pictures | pic | credit | credits | illustration | video | graphic | source image | foto | fotos |
    bild | bildquelle | bildnachweis | abbildung | grafik | crédit | crédits | crédit photo |
    fotografía | imagen | créditos | immagine | fotografia | imagem | beeld | afbeelding | фото |
    фотография | иллюстрация | світлина | ілюстрація | zdjęcie | fot | ilustracja
"""
)

# Agencies and picture desks that appear as bare credits ("(AFP via Getty Images)", "REUTERS/Jane Doe").
PICTURE_AGENCIES = _lexicon(
    """
getty images | getty | afp | reuters | ap | ap photo | epa | epa-efe | dpa | picture alliance |
    picture-alliance | imago | imago images | shutterstock | alamy | istock | istockphoto | anadolu |
    anadolu agency | sipa | sipa usa | zuma | zuma press | xinhua | pa | pa wire | pa images |
    bloomberg | nurphoto | sopa images | lightrocket | unsplash | pexels | wikimedia |
    wikimedia commons | keystone | ansa | efe | tass | ria novosti | ukrinform | pap | east news |
    forum | depositphotos | adobe stock | 123rf | dreamstime | bbc | handout | supplied | file photo |
    courtesy
"""
)

# ------------------------------------------------------------------ dates

MONTHS: dict[str, int] = {}


def _add_months(names: str) -> None:
    for number, group in enumerate(names.split(";"), start=1):
        for name in group.split(","):
            name = name.strip()
            if name:
                MONTHS[name] = number


# en
_add_months(
    "january,jan;february,feb;march,mar;april,apr;may;june,jun;july,jul;august,aug;"
    "september,sep,sept;october,oct;november,nov;december,dec"
)
# de
_add_months(
    "januar,jänner,jan;februar,feber,feb;märz,maerz,mär,mrz;april,apr;mai;juni;juli;august,aug;"
    "september,sept,sep;oktober,okt;november,nov;dezember,dez"
)
# fr
_add_months(
    "janvier,janv;février,fevrier,févr,fevr;mars;avril,avr;mai;juin;juillet,juil;août,aout;"
    "septembre,sept;octobre,oct;novembre,nov;décembre,decembre,déc,dec"
)
# es
_add_months(
    "enero,ene;febrero;marzo;abril,abr;mayo;junio;julio;agosto;septiembre,setiembre,sept;"
    "octubre;noviembre;diciembre,dic"
)
# it
_add_months(
    "gennaio;febbraio;marzo;aprile;maggio;giugno,giu;luglio,lug;agosto;settembre;"
    "ottobre,ott;novembre;dicembre"
)
# pt
_add_months(
    "janeiro;fevereiro,fev;março,marco;abril;maio;junho;julho;agosto;setembro;outubro;novembro;dezembro,dez"
)
# nl
_add_months("januari;februari;maart,mrt;april;mei;juni;juli;augustus;september;oktober;november;december")
# ru (nominative and genitive)
_add_months(
    "январь,января,янв;февраль,февраля,фев;март,марта,мар;апрель,апреля,апр;май,мая;июнь,июня,июн;"
    "июль,июля,июл;август,августа,авг;сентябрь,сентября,сен;октябрь,октября,окт;ноябрь,ноября,ноя;"
    "декабрь,декабря,дек"
)
# uk
_add_months(
    "січень,січня;лютий,лютого;березень,березня;квітень,квітня;травень,травня;червень,червня;"
    "липень,липня;серпень,серпня;вересень,вересня;жовтень,жовтня;листопад,листопада;грудень,грудня"
)
# pl
_add_months(
    "styczeń,stycznia,sty;luty,lutego,lut;marzec,marca;kwiecień,kwietnia,kwi;maj,maja;czerwiec,czerwca,cze;"
    "lipiec,lipca,lip;sierpień,sierpnia;wrzesień,września,wrz;październik,października,paź;"
    "listopad,listopada,lis;grudzień,grudnia,gru"
)

PUBLISHED_CUES = _lexicon(
    """
published | posted | first published | dated | veröffentlicht | erschienen | erstellt |
    stand | publié | publié le | mis en ligne | publicado | publicado el | pubblicato |
    pubblicato il | gepubliceerd | geplaatst | опубликовано | опубліковано | opublikowano |
    data publikacji
"""
)
UPDATED_CUES = _lexicon(
    """
updated | last updated | modified | last modified | aktualisiert | zuletzt aktualisiert | mis à jour |
    actualisé | actualizado | aggiornato | atualizado | bijgewerkt | обновлено | оновлено |
    zaktualizowano | aktualizacja
"""
)

RELATIVE_DAYS: dict[str, int] = {
    "today": 0,
    "yesterday": 1,
    "heute": 0,
    "gestern": 1,
    "aujourd'hui": 0,
    "hier": 1,
    "hoy": 0,
    "ayer": 1,
    "oggi": 0,
    "ieri": 1,
    "hoje": 0,
    "ontem": 1,
    "vandaag": 0,
    "gisteren": 1,
    "сегодня": 0,
    "вчера": 1,
    "сьогодні": 0,
    "вчора": 1,
    "dzisiaj": 0,
    "dziś": 0,
    "wczoraj": 1,
}

# "N <unit> ago" in each language: unit word -> seconds.
RELATIVE_UNITS: dict[str, int] = {}
for _seconds, _names in (
    (
        60,
        "minute,minutes,min,mins,minute,minuten,minuto,minutos,minuti,minuut,минуту,минуты,минут,хвилину,"
        "хвилини,хвилин,minutę,minuty,minut",
    ),
    (
        3600,
        "hour,hours,hr,hrs,stunde,stunden,heure,heures,hora,horas,ora,ore,uur,час,часа,часов,годину,"
        "години,годин,godzinę,godziny,godzin",
    ),
    (
        86400,
        "day,days,tag,tagen,jour,jours,día,días,dia,dias,giorno,giorni,dag,dagen,день,дня,дней,"
        "днів,dzień,dni",
    ),
):
    for _name in _names.split(","):
        RELATIVE_UNITS[_name] = _seconds

SECTION_WORDS = _lexicon(
    """
news | world | world news | politics | business | economy | markets | money | finance | tech |
    technology | science | health | opinion | comment | analysis | culture | arts | entertainment |
    sport | sports | football | lifestyle | travel | food | environment | climate | education | uk |
    us | europe | asia | africa | americas | middle east | local | national | international |
    weather | media | society | crime | justice | obituaries | features | nachrichten | politik |
    wirtschaft | ausland | inland | kultur | wissen | gesellschaft | panorama | sport | meinung |
    digital | regional | actualité | actualités | monde | politique | économie | société | sciences |
    santé | noticias | internacional | política | economía | sociedad | cultura | deportes | opinión |
    cronaca | esteri | politica | economia | mondo | notícias | mundo | esportes | nieuws |
    binnenland | buitenland | economie | новости | мир | политика | экономика | общество | спорт |
    культура | новини | світ | політика | економіка | суспільство | wiadomości | świat | polityka |
    gospodarka | kraj
"""
)


def phrase_regex(phrases: tuple[str, ...] | list[str]) -> str:
    """One alternation for a phrase list, longest first, on word boundaries where the phrase has them."""
    parts = []
    for phrase in sorted(set(phrases), key=len, reverse=True):
        escaped = re.escape(phrase).replace(r"\ ", r"\s+")
        left = r"(?<!\w)" if phrase[:1].isalnum() else ""
        right = r"(?!\w)" if phrase[-1:].isalnum() else ""
        parts.append(f"{left}{escaped}{right}")
    return "|".join(parts)
