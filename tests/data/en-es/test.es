cómo podría tú tal cosa?
mantuvieron en contacto diario
relaciones internacionales
el advenimiento del ordenador
retirada para oración y estudio y meditación
migración a un sitio (especialmente migración a un país del cual no eres un indígena para resolver allí)
el habla del presidente era una casa corrida
la conquista de espacial
una omisión inesperada
hizo una equivocación mala
un puesto u opción de llamada reculada por las acciones subyacentes la opción
que compra bienes para ser embarcados a través del correo
lo dio un poderoso alza
normal en niños bajo la edad de dos años pero un signo de cerebro o daño de cordón espinal en personas más viejas
la ley de enlazar junto como en una serie o encadenar
utilizado para unir segmentos de pipa de metal
que influye fuertemente
su manipulación de sus amigas era acciones
su sistema de contratar las personas parecían para ser una clase de inmersión afortunada
de obispo perdieron el cambio
siempre escribió abajo las resoluciones de su Año Nuevo
la terminación de un cumpliendo
el asesinato de vuestro hijo propio o la hija
la ley de abrogar
la ley de lavar platos
andar sobre
la ley de espesar
tensión estanca aguanta la cinta en las poleas
su cortando del pastel hizo un desorden terrible
necesitas cuatro personas para tocar este juego
una secuencia reconocida de movimientos a principios de un juego de ajedrecístico
dos juegos en vez de uno (especialmente en béisbol cuándo el mismo dos juego de equipos dos juegos en el mismo día)
cada jugador está tratado 5 cartas y el jugador que hace el triunfo tiene que tomar 3 trucos para ganar una mano
descendiendo secuencias de las cartas de colores alternos están construidas en estas pilas
una celebración que sigue una victoria en una batalla o competición de deportes
exitosa para ver en una manera abierta o pública
la diversión ofrecida en una presentación pública
perdió el agujero cuándo su aproximación rodada sobre el verde
la oficina del jefe de estado de Estados Unidos
jefa de un departamento ejecutivo anterior
la actividad de grabar transacciones empresariales
de ejercicio para mujeres diseñaron para mejorar la capacidad de aguantar ejercicio
un esfuerzo diligente
moviendo un núcleo de celda y su material genético de una celda a otro
puede ser incluido tan la parte de una sangre completa cuenta
una misión infructuosa
comportamiento blasfemo
una ley de traición
de fuerza de viajeros encima o cercanos una carretera pública
la parte estás esperado para tocar
la obra productiva actuó voluntariamente sin compensación o recompensa materiales
firmó arriba para el alquiler automovilístico de una semana
tomaron posesión de la bola en su línea de gol propia
demasiado poder en las manos del presidente
contracepción por esterilización quirúrgica
determinando algo por métodos matemáticos o lógicos
la ley de mirar fuera de
una lección en actuar música
entrenar soldados en procedimientos militares
disciplina conductista para una ocupación nueva
esperada de una cantidad segura
(agricultura) producción de alimentario por preparar la tierra para cultivar cosechas (especialmente a gran escala)
(cirugía) la ley de pinchar una cavidad de ente o órgano con una aguja vacía para sorteo fuera de fluido
un ataque calculó para dibujar defensa de enemigo fuera del punto del ataque principal
una guerra en qué las naciones importantes del mundo están implicadas
la ley de medir profundidad de agua (normalmente con una línea de sonar)
organización sistemática
continuando o repitiendo comportamiento
su matrimonio estuvo dirigido en la capilla
la ley de bautizar alguien por verter agua en su jefa
transporte rápido de transporte
transacciones de interés profesional o público
la delegación de potestad (especialmente de un central a un gobierno regional)
de grupo de la facultad para recurrir a violencia incluso en defensa en contra violencia
un golpe de barrer o trazo
un judiciales procediendo traídos por una fiesta en contra otro
una ley de ayuda o asistencia
una ley de bondad gentil
atenuante de aflige
después de su consolidación las dos facturas estuvieron pasadas unánimemente
de distribución a una empresa sola de varias empresas implicó en el mismo nivel de producción y compartiendo recursos en aquel nivel
un voluntario rápido emprendido como medios de protesta
una huelga emprendida por trabajadores sin aprobación de los oficiales de su unión
que ordenan una cosa de otros
el iniciando o popularizando de una tendencia o moda
las fuerzas americanas aterrizadas y captó un aire japonés basa
más a menudo en niños
un virus que es parásito (se reproduce) en bacterias
un orden de bacterias de
una alga comestible con un sabor suave
algas verdes unicelulares que reproduce por las esporas
incluye los patógenos serios
encontradas de Florida oriental a Caribe occidental
pequeños tiburones quemoraninferiores con ojosestilogato
jefa blanca charla
búho europeo pequeño
grande (a 7 pulgadas) salamandra de América del Norte occidental
lagarto terrestre pequeño de regiones tibias del Viejos Mundiales
dinosaurio carnívoro de América del Norte
encontrada de Estados Unidos centrales a culebras
tropicales pájaro insectívoro americano habiendo una factura aguda larga y bronce o verde iridiscentes plumaje
gansos típicos
de musaraña de la cola de Asia oriental
una pluma estrecha larga en la espalda (sillín) de un crecimiento de
parásito intestinal de humanos y cerdos
los zorros grises
de América Central a través de sable de
escarabajo verde de Europa del sur
de México ratones
América del Norte occidental-como roedor acuático de América del Norte con ronda de piel
de prados alpinos y subalpinos mojados de Canadá y Alaska
ahora presentada a Inglaterra
común rojizo-ardilla marrón de Europa y partes de Asia
marmota de montaña norteamericana grande
un animales aquello gana en un concurso de acelerar
de las llanuras de África central y oriental
toro joven
de Europa
primate extinto de aproximadamente 38 millones de años hace
mono arbóreo de África occidental y central con piel sedosa larga y redujo pulgares
narrados a bacalao pero normalmente comida
profundos-el mar pesca comprender la linterna pesca
encontrados alrededor del Arrecife de Barrera Sumo
americanos tropicales son agresivamente defensivos de su territorio
se parece a las caballas
su ente es verdoso-azul con barras oscuras y pequeños si cualquier medio
un vehículo que toma personas a y de hospitales
un artefacto que pertenece a otro tiempo
un zapato para un niño o mujer que tiene una correa alrededor del tobillo
de sedante diseñaron para servir una ropa de
una banda llevada alrededor del brazo para decoración
propulsión de delantero está proporcionada por una hélice convencional
la sala grande utilizó principalmente para bailar
a menudo utilizado para almacenamiento
un alivio escultórico en qué formas extiende sólo ligeramente del de fondo
un aparato para mantener el marcador en un juego de billares
albergar en un grande construyendo que está dividido a las unidades separadas
una obstrucción en una pipa o tubo
las medias protectoras llevadas con o en el sitio de botas
un puente de suspensión a través del Río Del este en Ciudad de Nueva York
un recinto oscurecido en qué imágenes de objetos exteriores están proyectadas a través de una abertura pequeña o lente a una superficie de afrontar
de fondo especialmente construidos por el ejército para soldados
un taburete plegable
normalmente una bateríade12 voltios de seis celdas
un coche de carga para transportar ganado
una cantera para tiza
la torre de una iglesia
una banda o cuello que controles un hueso individual en unas joyas que ponen
picado a través de juntas de madera en carpintería áspera
inusual o atavío de periodo no característico de o apropiado al tiempo y sitio
el club utilizado en tocar criquet
puesto la bandera atrás en la copa
un aparato mecánico que consta de un tubo cilíndrico alrededor de qué el cabello es herida a rizo lo
un avión con alas que lo da el aspecto de un triángulo isósceles
una sustancia para limpiar los dientes
un instrumento quirúrgico que suele dilatar o distender un inaugural o un órgano
un festín estuvo extendido a la junta
una daga relativamente larga con una hoja recta
un aparato electrónico que representa información en forma visual
un elemento que puede ser colocado de después de que ha sido utilizado
un hombre chaqueta quecabecercana
un bien hecho por conducir un tubo a la tierra a un estrato que los osos abrevan
una venda adhesiva elástica para cubrir cortes o hiere
un vehículo de motor con un paseodecuatro ruedas sistema de transmisión
un tubodedescarga gasista que consta de un cátodo frío y un diodo en un tubo llenado con gasista
un utensilio de cocina de barras de metal paralelo
un aparato diseñó para impedir daño o accidentes
un punto de cruz solo en un diagonal
un buceo alto entabla
de motor dados que está operado por un pedal de pie
tocó 18 agujeros
un electrodoméstico eléctrico portátil para calentar o cocina o manteniendo la comida anima
freno de cilindro maestro entonces aplica fuerza suma a los tampones de freno o prensa
un supermercado enorme (normalmente construido en las afueras de una ciudad)
una impresora que caracteres de productos por proyectar eléctricamente cobró gotitas de tinta
un establecimiento que consta de un edificio o complejo de edificios donde una organización para el ascenso de alguna causa está situado
un instrumento de medir para medir el área de un plano irregular imagina
la hoja de un cuchillo
de tejidos que consta de una caña esbelta con fines apuntados
un holding de mueble un o bombillas más eléctricas
una sombra ornamental protectora utilizó a pantalla una bombilla de vista directa
un detergente en forma líquida
especialmente una red que conecta ordenadores y procesadores de palabra y otro equipamiento de oficina electrónico para crear un sistema de comunicación entre oficinas
una sala pública para conferencias y conciertos
utilizaron principalmente en osciladores de microonda
un coche de vía en qué correo está transportado y ordenó
un establecimiento empresarial que ofertas masaje terapéutico
que vive barrios para el personal en un poste militar
prescribió identificar uniforme para vehículo
los electrodomésticos y característica de comodidades de una representación de
generalmente utilizados después de que violación o incesto
de piso cierra con una cremallera
un galvanómetro que está operado por la fuerza ejercida por un eléctrico actual fluyendo en una bobina movible suspendida en un campo magnético
una pieza pequeña de lino de mesa que suele toallita húmeda la boca y para cubrir el regazo para proteger ropa
(argot británico) una prisión
de ordenador del MAO que no es perdido cuándo el poder está girado de
un instrumento de medir para medir ángulos a un ente celestial
el envase superficial hecho de utensilio
utilizó para relajar músculos lisos
un hueso utilizado para adoquinar
un rotativo implementar para agudizar el punto en lápiz
un libro que consiste principalmente de cuadros
de cama de los alfileres que consta de una portada decorativa para una almohada
una herramienta de mano para aguantar constando de una palanca compuesta para coger
un plazo británico para 'cantera' es esfosa de tono'
el plato en qué comida está servido o de qué comida está comida
un bote para aguantar bebidas blandas
pueden ser bajados para impedir dosel
un compartimento numerado en una oficina de poste donde el correo está puesto para apellidarse para
el ascensor estuvo operado por botones de empujón
un dos-manera sistema de comunicación radiofónica (normalmente microonda)
no podría encontrar cualquier cosa en listo-a-llevar que le gustó
cogía un recambio para su libreta
el coche no tuvo las restricciones apropiadas cupieron
girado atrás para asomar el lado inverso
un termómetro que registros la temperatura en aguas profundas
instrumento médico actual que consta de un espejo montado en un ángulo en una caña
una excavación donde vegetales de raíz están almacenados
curva continua de arquitectura Romana
el tejido tosco utilizado para bolsos o despide
de aire que consta de un caso pequeño con un fondo plano y (normalmente) un hombro ata
una cobertura protectora (en cuanto a un cuchillo o espada)
un apoyo que consta de una superficie horizontal para aguantar objetos
el coche estiró fuera al hombro
una sala con varias cabina
una calle que cruza una calle principal y rescindiendo allí
elementos personales pequeños que conforman a controles que está vendido a bordo barco o en una base naval y cobrado a la paga de la persona
las bombas listas han revolucionado bombardeo aéreo
un aparato para ayudarte paseo en nieve profunda
las sojas compradas o vendidos en un precio acordado para entrega en una cita futura especificada
una llave inglesa para sacar o apretando bujías a la jefa de cilindro de un motor de combustión interno
un sofá acolchado blando
utilizados para andar alto por encima de la tierra
un baño de ácido utilizó para parar la acción de un grifo
golpeó ligeramente en la puerta cerrada del estudio
un aparato pretendido para utilizar debajo abrevar
una cobertura extendida sobre una mesa de cenar
una herramienta para mujer tajante (interno) hilos de tornillo
los hoteles de telecomunicación son objetivos primos para bombardear
un azulejo cuadrado pequeño del hueso o el vaso utilizados en hacer mosaicos
(Génesis 11:1-11) una torre construida por los descendientes de Noah (probablemente en Babilonia) quién lo pretendió para lograr hasta Dios
el aparato eléctrico diseñó para recibir una señal concreta y automáticamente transmitir una respuesta concreta
un instrumento quirúrgico utilizó para sacar secciones de hueso del cráneo
tachan aquello es la ruta principal en una vía
un teclado para manualmente introduciendo caracteres para ser imprimidos
elementos que es común a más de uno pone está representado por intersecciones de los círculos
el tubo a escaso insertado a una tubería y utilizado para medir la cantidad de un líquido aquello está fluyendo en la tubería
un pozo petrolífero exploratorio perforado en aterriza no sabido para ser un campo de petróleo
un cuchillo turco largo con una hoja torcida habiendo un borde solo
sus reacciones diferentes reflejaron sus personalidades muy diferentes
algo sentimental o trillado
masculinidad exagerada en mujeres (especialmente en chicas y mujeres jóvenes)
cualquier calidad o característico que beneficios una persona una recepción favorable o aceptación o admisión
la calidad de destacar fuertemente y claramente
el mesón está distinguido por la finura de su cocina
nunca había crecido acostumbrado a la monotonía de su obra
semejanza por virtud de correspondiente
añadir una nota deseable de especificidad a la discusión
inmovilidad por virtud de ser inerte
una calidad étnica o la afiliación que resulta de lazos raciales o culturales
la calidad de ser exótico
la calidad de habiendo efectividad o fuerza legales
la calidad de compasión o consideración para otros (personas o animales)
la capacidad de responder a cambios afectivos en vuestra sensibilidad de
temerosos de pérdida o daño
la calidad de ser fraudulento
una manera casual
el patrimonio del mundo de conocimiento
la hacienda visual de ser sin color cromático
coloración del cabello
el registro falla para captar el color cierto de la música original
una serie rítmica recurrente
la hacienda de probar como si contiene azúcar
cualquier hacienda utilizó para caracterizar asunto y energía y sus interacciones
una sucesión cronológica continua sin una interrupción
de invierno de venidero temprano o más temprano en cronometrar
podrían notar radiación en el infrarrojo
la hacienda de ser direccional o manteniendo una dirección
recibimos una inundación de email
puso su conocimiento a uso bueno
una calidad útil o valiosa
no mentalmente o físicamente sano
la calidad de ser algo aquello te aguantas atrás
el precio de éxito es trabajo duro
la calidad de proporcionar ningún beneficio o ningún beneficio o ningún beneficio
la calidad de ser sin importancia e insignificante o frívolo
dar el diablo su previsto
el derecho concedido por una corte a un padre (u otro relativo) quién está privado de custodia de un niño para visitar el niño en una posesión de
que carecen de el poder de ser eficaz
rescinde en el seno sigmoideo
el hueso de muñeca con una forma de jefa redondeada que articula con el 3.º metacarpo
(anatomía) un punto o área pequeña
huesos que es ronda en forma
divide a tres ramas
cualquiera de los cinco lóbulos que forman el hígado
un plazo obsoleto para la red de material viscoso en el núcleo de celda en qué los gránulos de cromatina estuvo pensado para ser suspendido
orden lineales tienen 22 pares de cromosoma plus dos cromosomas de sexo
una neurona que dirige impulsos hacia adentro al cerebro o cordón espinal
una glándula endocrina pequeña en el cerebro
el centro de palabra auditivo
un pene anormalmente pequeño
de vagina lubrican la vagina durante coito
la parte de la pata entre la cadera y la rodilla
muy de cinco pares de los nervios espinales que emergen de la sección lumbar del cordón espinal
muy borde criado mucho tiempo o margen de un hueso o diente o membrana
la productividad intelectual de una imaginación creativa
donde los pecadores padecen el castigo eterno
la ciencia dulce de pugilismo
destreza en disparar
una incapacidad para leer
la facultad visual
vieron universidades como torres de marfil
algo aquello desconcierta entender y no puede ser explicado
una dificultad o defecto en un plan o la operación
cualquier prueba para determinar inmunidad o sensibilidad a una enfermedad por presentar cantidades pequeñas encima o a la piel
un vestido de tendencia de
la concepción y desarrollo de una idea o el plan
el proceso cognitivo de lograr una decisión o dibujando conclusiones
historias del detective para lectura de
los hechos sobre una situación real
una manera de concebir algo
(física) las seis clases de quarks
determinó el superior atado con Descartes' regla de signos
define un contorno importante de esta administración
no fue qué apareció para ser en la superficie
todo de los plazos en una ecuación lineal son del primer grado
un factor clave en su humor
marcado por desórdenes de comunicación y la atención corta giraron e incapacidad para tratar otros como personas
un programa bajo qué empleados asiduamente acumulan acciones y finalmente puede asumir control de la empresa
una imagen mental de algo anteriormente experimentó
confianza completa en una persona o plan etc
misticismo islámico
importancia suma eran evangelio para quienes siguieron
la doctrina que la aplicación de un plazo general a varios objetos indica la existencia de una entidad mental que media la aplicación
el gol definitivo para qué algo está hecho
qué pretendes hacer
el contenido de participación u observación directas en un caso
(matemática) la geometría basada en los axiomas diferentes de Euclides es
la rama de matemáticas que está concernido con límites y con la diferenciación e integración de funciones
población más grandes seleccionó al azar de una población y utilizado para probar hipótesis sobre la población
la patología forense proporcionó la evidencia que condenó el asesino
la rama de química que estudios la relación entre acción química y la cantidad de calentar absorbido o generó
la rama de geología que terremotos de estudios
la rama de ciencia de ingeniería que diseño de cohete de los estudios y operación
el estudio humanístico de un ente de literatura
utilizó para estimar cuánto tiempo hace las lenguas diferentes evolucionaron de una lengua de fuente común
(raro) adoración que admite o tolera todos los dioses
un sitio abstracto normalmente concebido como habiendo profundidad
cualquier correo que es físicamente entregado por el email de
(electrónica) la transmisión de una señal por utilizarlo para variar un cargador ondulatorio
cambiando la amplitud o la frecuencia del transportista o modulación
tiene un regalo para palabras
un sustantivo que denota cualquiera o todos los miembros de una clase
aquellos son dos nombres para la misma cosa
a veces utilizado en depurar programas
la primera sección de una comunicación
una transición (en obras literarias o teatrales o películas) a un caso más tardío o escena que interrumpe el desarrollo cronológico normal de la historia
algo aquello ofrece instrucción o información básicas
que pone algo (como obra literaria o una factura legislativa) a la forma aceptable
Abraham e isaac
un documento que certifica la conclusión exitosa de un curso de estudiar
un acuerdo para comprar o vender una cantidad concreta de una mercancía o instrumento financiero en un precio particular en una cita futura estipulada
una lista detallada de todos los elementos en stock
una carta que ofrece una comida completa con limitó elecciones en un precio fijo
un elemento insertado en un escrito récord
pagó su factura y a la izquierda
una colilla de entrada que titula el titular a admisión a un caso futuro si el caso planificado estuvo anulado debido a llover
de marca que rige la fusión de dos o más empresas
una ley que proporciona apoyo para el pobre
un descargo que retrasos la acción sin resolver la causa de acción
Google de texto dados queemparejantexto para encontrar las páginas web que contienen un texto particular
(informática) un programa diseñado para apoyo general de los procesos de un ordenador
el gobierno apoyos de precio utilizado para mantener el piso de
gobierna regir socialmente formas de
una manera común de hacer software los
todo el mundo le confió en con sus confianzas
afirmación de aceptación de alguna religión o fe
el grado de un maestro en enseñar
el gobierno ha venido debajo el ataque
el gobierno hizo un anuncio sobre cambios en la guerra de droga
una profesión de desacuerdo
(puente) un pujado aquello es más alto que la oferta de vuestro adversario (especialmente cuándo vuestro socio ha no pujar en absoluto y vuestra oferta supera el valor de vuestra mano)
la práctica de casualmente mencionando personas importantes para impresionar vuestro oyente
estudió el marcador de la sonata
una marca que consta de los caracteres escritos en un libro
el signo de dólar significa poco a él
la 6.ª letra del alfabeto hebreo
la 8.ª letra del alfabeto hebreo
cualesquiera de las 5 marcas horizontales que comprenden un personal
una carta que identifica el portador como un alienígena con estado residente permanente en los Estados Unidos
una lengua de ordenador a qué algo escrito en otra lengua de ordenador es para ser traducido
basaron en franceses y varias lenguas africanas
hasta que recientemente era la pronunciación de inglés utilizado en británico retransmitiendo
irlandés gaélico de 1100 a 1500
una familia grande de las lenguas habladas en India del sur y central y Sri Lanka
ilustraciones que las ayudas hacen algo ilustraciones claras o
te tienes vista la producción nueva de Villorio?
allí son seis líneas en cada estrofa
cualquier género de música habiendo apelación ancha (pero normalmente sólo para tiempo a escaso)
un género de música popular que originado en Nueva Orleans alrededor 1900 y desarrollado a través de cada vez más modas complejas
expresión coloquial de comunicación hablada o escrita que busca para imitar habla informal
una cifra del habla en qué una expresión suele refiere a algo que lo no literalmente denotar para sugerir una semejanza
una habla suena aquello no es una vocal
un oído aguantado por el Senado de EE.UU. para reunir información encima si para aprobar o rehusar candidatos para oficina federal alta quiénes están nominados por el presidente
una interpretación particular o actuación
una disputa verbal intensa
una oración que pide la ayuda del dios como parte de un servicio religioso
entregaron su embiste contra el fin de cada mes
la ley de requerir
la exposición de un impostor o un fraude
persuasión mediante persuasión de
la voz en un comentarista oculto en una película de programa televisivo
un caso o situación que pasa al mismo tiempo como o en conexión con otro
no puede parecer en la superficie
la destrucción completa de cada rastro de algo
un caso de cambiar
una llegada en tercer sitio (como en una raza)
una interrupción en la intensidad o cantidad de algo
la ocurrencia de líquido de superávit (como agua) superando el límite o capacidad
una explosión (como de dinamita)
(astronomía) la alineación de la Tierra y un planeta en el lado opuesto del sol
la revolución de la tierra sobre el sol toma una rotación
el tercio es estadio saltando
un partido entre los boxeadores
tiene una cosa aproximadamente marisco
segundo sitio era ningún consuelo a él
aflicción autoimpuesta
una sensación de admiración y amor profundos
sentir avergonzado debido a modestia
el sintiendo que algo está a punto de pasar
me doy el se arrastra
él él para emoción
sus esperanzas eran tan alto estuvo condenado a decepción
una dieta alto en la planta y las proteínas animales
carne de cualquier codorniz o carne
la carne de animales salvajes que está utilizado para alimentario
cerdo joven entero propio para asar
bayas de trigo hinchado
una bebida que se parece a café que es a veces sustituido para
fruta tropical grande con la piel correosa y la pulpa blanda
normalmente servido como bistecs
muy de numerosos pequeños pez alimentario Atlántico plano habiendo piel lisa
salsa picante y las setas y las cebollas guisaron en el vino tinto y las sazones
pastel de carne pequeña o facturación
destilaron de vino o jugo de fruta fermentada
tomó una babosa de licor duro
malditas quiénes ya no están viviendo
una colección de botes
el edificio entero renegado sobre el ruido
las bombas automovilísticas son la arma de firma
en 1972 el Ejército Rojo japonés era responsable para una masacre en un aeropuerto en Israel
ataques terroristas hechos encima Israel a través del borde libanés
una institución puesta hasta proporcionar ayuda al necesitado
Murdoch posee muchos diarios
una agencia federal en el Departamento de la salud y los servicios Humanos establecieron para regular la emisión de salud y comidas nuevas-narró productos
creada en 1965
la legislatura del gobierno de Estados Unidos
el clero en Francia y las jefas de la iglesia en Gran Bretaña
una empresa que actúa un tema de
unió fuerzas con una banda de grupo
un equipo de golpe del ejército de las Personas Nuevas en las Filipinas
una unidad de ejército bastante grande para sostener combate
una unidad de aeronave militar
dos intérpretes o cantantes quiénes actúan juntos
una matriz cuadrada utilizó para solucionar ecuaciones simultáneas
(astronomía) una colección enorme hipotética de los cometas que orbitan el sol lejos allende la órbita de perturbaciones
un sistema universitario habiendo varios campus separados y las universidades y la búsqueda centra
una agencia de Naciones Unidas que invierte directamente en las empresas y las garantías presta a los inversores privados
un consejo gubernamental elegido en un país comunista (especialmente uno aquello es un miembro de la Unión de Repúblicas Socialistas soviéticas)
una corte criminal (en ciudades grandes) aquello sienta por la noche
un rally (especialmente de estudiantes) antes de un juego
comunismo soviético
estuvo diseñado para el discriminando poca
la infantería entrenada y equipado a civiles
un jurado cuyos miembros están seleccionados para conocimiento especial para un caso que implica complicado emite
éramos parte de una caravana de casi mil camellos
una marcha de protesta o demostración por los parados
investigaban una serie de robos de banco
cualquier organización o fiesta cuyos uniformes o las placas son azules
señala recibidas de las profundidades de espaciales
el sitio donde alguien nació
el pie de la lista
la ciudad o ciudad que es el escaño de gobierno para un condado
un sitio para lanzar plataformas
un parque nacional en California que consta pájaros de mar y vida marina
fueron para un paseo en el parque
el sitio donde las personas votan
un punto ocupado por tropas para razones tácticas
un estatales o el territorio en parte controlado por (pero no una posesión de) un estado más fuerte pero autónomo en protectorados de
(astronomía) la distancia angular de un norte de ente celestial o al del sur del ecuador celestial
teorías socioeconómicas es un laboratorio para estudiar el uso de tropas americanas para combatir terrorismo
la copa de un (normalmente plano) techo
la parte superior de cualquier cosa
el sol es en este signo de aproximadamente junio 21 a julio 22
de África reconocida por los Estados Unidos como el capital de la Costa de Marfil
la ciudad capital y más grande de Panamá
la ciudad capital y más grande de la República Dominicana
un país en la isla de Chipre
una ciudad en Suecia del sur
la isla más grande en las mentiras
una provincia próspera e industrializada en Canadá central
un territorio en Australia central del norte
una ciudad construida en la altiplanicie central e inaugurado en 1960
un centro de la industria de ropa
ciudad más grande en Escocia
el segundo más grande de las cuatro islas principales de Japón
la ciudad capital y más grande de Liechtenstein
independencia conseguida de los Estados Unidos en 1946
un grupo de islas volcánicas en el Océano Atlántico al del oeste de Marruecos
notó para oporto
2.ª ciudad rusa más grande
un puerto importante y casal
mediterránea es la tercera ciudad más grande en España
un centro para ordenador e industrias de electrónica
una ciudad universitaria en casa de
una lonja de tabaco
una ciudad en al suroeste capital
localizó en Estado de Nueva York oriental en el banco del oeste del Hudson río
una ciudad en sitio de
una ciudad en Oklahoma oriental en el capital de
Pensilvania del sur de un capital de
una ciudad de sitio de Texas
borde de la Pensilvania de la Universidad de Virginia Occidental
el capital del Estado de la Ciudad de Vaticano
una cordillera en Alaska central del sur
tiene más de uno salta
la segunda estrella más brillante en el Del sur Cruza
una corriente o el río conectaron a un más grande uno
un cráter aquello ha recogido cósmico material pegando la tierra
una pieza corta fuera de la parte principal de algo
un río en Pensilvania oriental que flujos al sureste al Río de Delaware
visible cercano el polo celestial del sur
un objeto natural que se parece a una máquina en estructura o funcionar
el centro denso positivamente cobrado de un átomo
una costa del océano Pacífico
una inclusión celular pequeña que consta de una red de ADN que no es en un cromosoma pero es capaz de replicación autónoma
de medias a lo largo de los bancos de corriente o río
de California de San Diego a San Francisco
(folclore) un gigante a quién le gustan comer los seres humanos
criatura de mar monstruoso que simboliza mal en el Testamento Viejo
dios Celta del hijo
ligero de profecía y poesía y música y curándose
(mitología griega) un mítico gigante quién era un ladrón y asesino
(mitología Romana) diosa del alborear
una persona quién habita un sitio particular
una persona quién manifiesta devoción a una deidad
un nativos o habitante de Afganistán
un egipcio descendido de los egipcios antiguos
un miembro de unas personas germánicas quién invadió Italia del norte en el siglo VI
un nativo o residente de Hawái
un nativo o residente de Maryland
un miembro de las personas quehablanfrancesas viviendo en Bélgica
un amigo o camarada
un crítico de pinturas
un historiador de arte
un intérprete público (un bailarín o cantante)
de honor bajo un barón pero por encima de un caballero
un miembro del bate generación
un adulto con jefa ancha a escasa
un miembro de una élite social y cultural (especialmente un descendiente de una familia de Inglaterra Nueva vieja)
alguien quién retransmite en radiofónico o televisivo
era un toro de un hombre
un animal aquello está limitado
un fumador pesado (normalmente de cigarrillos) quién enciende uno fuera de otro
un especialista en cuidado para los pies
un fumador de cigarros
una persona que adolece claustrofobia
alguien quién es experto en climatología
un empleado de quién primera lealtad es a la empresa más que a trabajadores amigos
una persona incompetente estúpida
una persona quién anuncia y toca empleado de música
una persona quién vivió durante el reinado de Isabel I
uno cuyo negocio es para intercambiar el dinero de un país para aquel de otro país
un boxeador amateur quién pesa no más de 112 libras
un miembro de la Convención Constitucional que reclutó la Constitución de Estados Unidos en 1787
una persona quién merece para ser colgado
alguien quién tiene la capacidad intelectual excepcional y originalidad
cualquier mujer quién sirve como patrocinador para un niño en bautismo
un lingüista quién especializa en el estudio de gramática y sintaxis
puede gozar el reto de romper a otros ordenadores pero hace ningún daño
alguien quién actúa trucos peligrosos para atraer atención a él
alguien guió más por ideales que por consideraciones prácticas
comerciantes itinerantes
un banquero de inversión quién ingenia estrategias para hacer una empresa de objetivo menos atractivo para absorción
una persona quién se queda en cama hasta una hora relativamente tardía
(anteriormente) un encargado contrató para llevar una linterna para peatones en calles oscuras
(Testamento Viejo) el sobrino de Abraham
un soldado fuertemente armado y montado en tiempo medieval
un testigo cuyo testimonio es ambos pertinente al asunto en asunto y requerido para resolver el asunto
alguien enviado en una misión--especialmente una misión religiosa o benéfica a un país extranjero
un trabajador quién adosa algo por clavarlo
un intruso quién pasa a o a través de (a menudo por vencer resistencia)
una persona quién intencionadamente da testimonio falso
un voluntario quién graba (normalmente por telefónico) las contribuciones prometieron en un fondo conduce
una persona empleó para llevar equipaje y suministra
una persona quién se rinde a (o está tomado por) el enemigo en tiempo de guerra
una persona comprometida en uno del aprendió profesiones
un miembro de la clase laborable (no necesariamente empleado)
una persona (normalmente un psicólogo pero a veces un lingüista) quién estudia la base psicológica de lengua humana
el torneo estuvo ganado por un clasificado tardío
uno retirado de sociedad para razones religiosas
una persona quién duerme mucho
puede entregar la alocución inaugural en graduación ejercita
alguien quién cose
de sorbos de alocución para un hombre
uno quién duda (normalmente fuera de miedo)
un cristianos quién rehusa la divinidad de Cristo y la Trinity y el pecado original
alguien quién obra en una fuente de refresco
un escritor pagado por el área de la copia
alguien quién en secreto mira otras personas
alguien quién no entiende qué está yendo en
un niño de vuestro cónyuge por un matrimonio anterior
alguien quién rompe arriba apedrear
un bebedor quién chupa (como en un pezón o a través de una paja)
uno nombró para representar una ciudad o universitario o empresa en transacciones empresariales
una persona en cargo de gestor y manteniendo un sistema de ordenador de sistema de telecomunicación (en cuanto a un empresarial o institución)
una persona quién nunca ha tenido sexo
alguien quién marcas y repara ruedas de madera
en 1940 movió a los Estados Unidos (1881-1945)
editor de diario británico y político (nato en Canadá)
la segunda mujer de Henry VIII y la madre de Isabel I
físico canadiense quién botó vigas de neutrón fuera de núcleos atómicos para estudiar la estructura de asunto (1918-2003)
escritor inglés de novelas satíricas (1917-1993)
explorador y Estados Unidos el agente naval
estuvo asesinada (12-41)
recibieron premio Nóbel para literatura en 1953 (1874-1965)
abogado de Estados Unidos famoso para su defensa de perdió causas (1857-1938)
escritor francés de novelas y cuentos (1821-1880)
el último Emperador Romano Santo (1768-1835)
novelista inglés (1867-1933)
20.º Presidente de los Estados Unidos
23.º Presidente de los Estados Unidos (1833-1901)
aclamó actriz de fase y pantalla (1900-1993)
autor de la Epístola de James en el escritor de
dirigente de trabajo de los Estados Unidos (nato en Irlanda) quién ayudó para fundar los Trabajadores Industriales del Mundo (1830-1930)
pintor ruso quién era un pionero de arte abstracto (1866-1944)
matemático alemán quién creó el Klein bote (1849-1925)
pintor francés quién era un cubista temprano (1881-1955)
acaecía una seguidora de Jesus
actriz de película griega (1925-1994)
estadista austriaco (1773-1859)
periodista de emisión de los Estados Unidos recordado para sus informes de Londres durante Segunda Guerra mundial (1908-1965)
el farmacéutico italiano notado para obra en polímeros (1903-1979)
inventor de Estados Unidos quién fabricó el primer ascensor con un aparato de seguridad (1811-1861)
arquitecto inglés (1801-1865)
discípulo de Jesus y dirigente de los Apóstoles
pintor de retrato inglés y primer presidente de la Real Academia (1723-1792)
el antropólogo y el lingüista
diseñador de moda nato en Italia quién estuvo notado para su uso de materiales sintéticos y colores brillantes (1896-1973)
poeta de Estados Unidos (1928-1974)
bioquímico de Estados Unidos (nato en Hungría) quién era el primer para aislar vitamina C (1893-1986)
27.º Presidente de los Estados Unidos y justicia de jefe más tardío de los Estados Unidos Corte Suprema (1857-1930)
estadista yugoslavo quién dirigió la resistencia a ocupación alemana durante Segunda Guerra mundial y estableció un estado comunista después de la guerra (1892-1980)
físico holandés (1837-1923)
América Del sur estuvo nombrada en su honor (1454-1512)
una masa grande de niebla en el mar (como visto de una distancia)
el llevando abajo de partículas de rock por fricción debido a agua o viento o hielo
de escala que mueve 39-46 nudos
(física) la vibración producida por resonancia
la Luna era bastante brillante para leer por
permisos de satélite de comunicaciones alrededor de la curva de la superficie de la tierra
un temporal de lluvias violento cercano el tiempo de un equinoccio
arbustos perennifolios y árboles pequeños de Del norte y América Central y Asia
una parra leñosa de América del Norte oriental habiendo hojas ovaladas grandes y flores blancas pequeñas y morados a azules-las frutas negras
planta perenne peluda corta con el muelle temprano azul-flores violetas o lilas
árboles tropicales perennifolios y arbustos con savia lechosa
y bayas comestibles es venenoso
plantas de la violación de un óleo comestible
naturalizó en Europa
por todas partes mucho de Estados Unidos y a Canadá
Estados Unidos centrales
las cañas frescas son a veces masticadas para el jugo
tropical parra Mundial Vieja con amarillo-fruta naranja
levantan arbustos perennifolios: laurel de montaña
narraron a pero más pequeños que la alheña china
árbol de nuez norteamericana con madera oscura dura y tuerca comestible
ampliamente utilizadas como empotrar planta
indígena de parra ornamental a Asia oriental
altos olmo distribuido ampliamente de América del Norte oriental
planta de jardín cuya cápsula revela cuándo madura una masa de las semillas que se parecen a una mora
encontrado en los Estados Unidos del sur y América tropical
caducifolias levanta extender indígena de escoba a Europa occidental
cede una madera fuerte dura
la concha blanca dura toma un abrillantador alto y está utilizado para p. ej. palma
libre grande a China y Japón
peludos amarillos-la planta florecida de América del Norte y Asia orientales
muy de varios árboles que producen fruta ovalada comestible habiendo una piel lisa y un hueso duro solo
principalmente arbustos asiáticos del este
geranio salvaje común de América del Norte oriental con profundamente separó hojas y rosa-flores moradas
el árbol americano tropical que cede la madera fragante utilizó especialmente para cajas
mango salvaje
gloria de mañana americana tropical
Llanuras Sumas a planta de
Idaho a Utah y Wyoming
una especies de helecho acuático o semiacuático
agua de Brasil del sur
una masa en cueros de protoplasma habiendo características de ambas plantas y los animales
prórroga tubular en la base de la corola en algunas florece
el órgano de sexo macho de plantas queproducenespora
las fibras leñosas fuertes obtuvieron especialmente del floema de de varias plantas
especialmente una hoja de hierba o la porción ancha de una hoja como distinto del peciolo
uno de las drupas pequeñas que hacen arriba de un conjunto o fruta múltiple como una mora
el ladrido amargo de un árbol americano Del sur
brillantes azules-el helecho verde ampliamente distribuido especialmente en bosques de ácido húmedo del hemisferio del norte templado
anteriormente utilizadas para registrar los utensilios
medio a helechos terrestres grandes de bosques tropicales de Mundo Viejo a América
inteligencia artificial de ayuda financiera como de un gobierno a una institución educativa
de beneficios de más de 50% de una empresa está votando acciones
recursos naturales en la forma de minerales
la forma más común de seguridaddecero cupones
riqueza suma
una factura de intercambiar aquello está dibujado en un país y hecho pagable en otra
un penique cobrizo
clasificación permanente entre los totales del crédito y lados de débito de una cuenta
un hotel planea aquello incluye almuerzo y cena (pero no comer)
desarrollo imperfecto
el desarrollo de un fonema de consonante a un sibilante
(fisiología) procesa aquello mantiene un estado fisiológico generalmente constante en una celda o crecimiento
caries radioactiva de un núcleo atómico que está acompañado por la emisión de una partícula de beta
una clase lenta de fermentación alcohólica en una temperatura abajo bastante que las celdas de levadura se pueden ir al fondo del fermentando líquidos
un método que prepara una madre para parto natural por proporcionar educación y ejercicios y nutrición y técnicas de respirar y relajación (con la asistencia del padre)
el proceso de dar nacimiento a un niño
dos o más las operaciones actuaron al mismo tiempo (o dentro de un dar intervalo)
el proceso de encerrar (como en una cápsula)
especialmente común en eyaculación de
proceso o manera de funcionar u operando
proceso de sacar impurezas (como de óleo o metales o azúcar etc.)
disminución de un nivel estándar de actuación o consecución
el proceso por el cual jugo de uva de cambios de fermentación a vino
un número constante que sirve como medida de alguna hacienda o característico
una unidad de la resistencia igual a un millón de ohmios
una medida lineal de 16.5 pies
iguales a un milésimo de un dinar
la unidad básica de dinero en Granada
la unidad básica de dinero en Bolivia
la unidad básica de dinero en Nicaragua
entre 50 y 75 libras
una unidad de calentar igual a 100,000 unidades térmicas británicas
la cantidad contenida en un puede
la cantidad contenida en una jarra
una cantidad de algo disponible para utilizar
hay abundancia de aparcar detrás del espacio
una base apalabrada por todas las fiestas para lograr un mutuo entendiendo
las alianzas de mover dentro de una familia grande
el porcentaje de la obra fuerza aquello es parados en cualquier cita dada
la proporción del número de observaciones en una categoría estadística al número total de observaciones
una dirección opuesto a otro
la relación entre dos especie diferente de organismos que es interdependiente
una línea localizada por un punto que viaja en una dirección constante
el estado de ser aceptable y aceptó
(normalmente plural) el estado o fila u oficina de un clérigo cristiano en unos teólogos de
probó para la presencia de radón
mientras el encendiendo era ausencia
el estado de ser triste
sin defectos morales
glándulas del sudor de algún tejido o órgano para desarrollar
una afección física que está causado por enfermedad
ausencia de jugos gástricos (parciales o completos)
desglose nervioso (no en uso técnico)
brevedad anormal de dedos y fallo
de corazón anormal de tejido de corazón que resulta de obstrucción del suministro de sangre al músculo de corazón
de color completa amarilla
caracterizado por piel y picor persistentes irritación
de sangre de la rodilla en qué hay volumen fluido sobrante comparado con el volumen de celda del desorden
un número anormalmente pequeño de linfocitos en la sangre de circular
una enfermedad de las jefas de plaga de
un tumor que es maligno y tiende para extender a otras partes del ente
una afección anormal que resulta de compresión de raíces de nervio espinal en la región de cuello
el dolor sentía cuándo un prensado de mano en el abdomen es de repente liberó
normal o poderes de sonido de importar
el miedo repentino de un niño de atender escolar
echó un berrinche
un estado en qué cosas está mejorando
de calidad para alguna característica particular
trajo reprochar a su familiar
de pacientes de prosperidad o felicidad o salud
disparó agujeros en mi riña
bancarrota intelectual
la incapacidad de un banco para cumplir sus obligaciones de crédito
el estado de ser cochinamente con hollín
el estado de ser susceptible
el periodo largo de la paz aplicada en estados en la protección de
un nivel para juzgar cuándo la libertad de habla puede ser abreviada
relajación lenta de un músculo después de una contracción
pérdida de disfunción
de relación sexual de la capacidad de mover un ente separa
un estado anormal en qué el flujo normal de un líquido (como sangre) está retrasado o paró
cualquier orgánico compuesto conteniendo dos grupos aminos
la mayoría de abundantes del raros-la tierra agrupa
un duro quebradizo elemento metálico polivalente gris que se parece a hierro pero no es magnético
ocurre en muchos minerales
quemaduras con una llama amarilla y reacciona apresivamente en el agua
un mineral constando de cloruro de ventaja y fosfato
(química) una sustancia que atrasa una reacción química o disminuye la actividad de un catalizador
la piel marrón blanda del castor
una cadena cerrada de 6 átomos de carbono con átomos de hidrógeno adosaron
porcelana del hueso hecha de residuo de
de aluminio producidos por o utilizados en una reacción que implica cambios en átomos o moléculas
un olor de las sustancias químicas en el aire
utilizaron como pigmento
una sustancia que productos un olor fragante cuándo quemado
el agua mineral que contiene sales de litio
una cera dura obtenida de lignito
el agua en el océano es todo de agua salada
un complejo negro mineral ocurriendo en pegmatitas
un minerales utilizados como una mena de tungsteno
utilizado en hacer polvos de jabón y vaso y papel
a veces utilizado tan relleno de madera
las lipoproteínas grandes ricas en triglicéridos
la lana no utilizada antes de que
el tiempo oficial en una región local (ajustado para ubicación alrededor de la Tierra)
el tiempo universal coordinado a bordo la aeronave
el periodo de tiempo durante qué algo continúa
un diez día es deja para visitar su madre
la niñez de un chico
cualquier día exceptúa domingo (y a veces exceptuar sábado)
el cuarto día de la semana
esperaron coger juntos en una cita temprana
una unidad de tiempo de aproximadamente 30 días
el durar (12.º) mes del año
conmemora la emanación del Alcohol Santo a los Apóstoles
el periodo que pulsa corrido para producir un asunto de un diario
(música) la velocidad en qué una composición es para ser tocado
una pausa durante qué cosas es tranquila o las actividades están disminuidas
el alcance al cual algo está retrasado o aguantó atrás
un periodo de tiempo durante qué hay conflicto armado
un día de festín y los siete días que lo siguen
(astronomía) una cita arbitrariamente fija que es el punto en cronometrar relativo a qué información (como coordenadas de un ente celestial) está grabado
de dificultad duro y ruidosamente
guiño brevemente
me levanto en 7 A.m. todos los días
ascendieron temprano
Ella perfuma ella todos los días
acaecida fértil
experimenta concepción
de trifulca débilmente o suavemente
coge sobre una enfermedad o impactar
coge sana otra vez
disminuye o interrumpir abruptamente
mantuvo arriba en las pólizas extranjeras de su país
lo deja como es
El número de los estudiantes en este curso cayeron fuera después de la primera disminución
Este país asimila inmigrantes muy deprisa
ropa diferente antes de que vas al cambio
Sacar los platos sucios de la mesa
adosar o añadir
puestos a una copa
dibujar un pollo
acaecer arruinado
acaecido progresivamente más débil
desaparece gradualmente o según parece
hacen menos rígidos o más blandos
de turno temprano
Su cabello empezó a plata
americana prestigiosa capaz
emerger con violencia o ruido
Para propósitos de impuesto puedes escribir del beneficio de
dispersan las partículas
sigue un curso seguro
qué hizo vuestra entrevista va?
de resurrección creencias religiosas, o adoptar una creencia religiosa
de visión (sentidos) más entusiastas
criar de un bárbaro a un civilizado estatal
El sol la vista irrumpida
El metal solidificado cuándo enfrió
retrasó la obra que no quiso actuar
mata en números grandes
impartir hábitos urbanos, modos de vida, o las responsabilidades a
zapatos de talón
acaecer hostil hacia
ir al
cambio de tecnología modernas
convertir de una notación de punto fija a un flotador de notación
tomar una dirección descendente
de ecuaciones a un vapor
organiza (la producción de algo) a una industria
convierte (oxígeno) al ozono
alboreó encima le que había traicionado le
considera razonable o prevista
Sabemos esta película
Recuerda para llamar vuestra madre todos los días!
no equivocación su para su hermana de gemelo
reconoce tan el ser
de intenciones para acaecer embarrado
hace un intencionadamente abajo estimar
escoge mediante un dial
Su agente había reservado su para varios conciertos en Tokyo
la consideración con sospecha
se da cuenta por adelantado
se aferra a correctamente o estrechamente
experimenta romper
Puede le dibujas fuera--es siempre tan tranquila
Los padres repudiaron su hijo
Su letra urgente finalmente me traje alrededor para dar el dinero a la escuela
convoca para regresar
cuentan otra vez
autoriza por certificado
afrontó las consecuencias terribles de sus equivocaciones
admitir tan válido
tengo que insistir!
declara (un muerto) para ser un santo
Los críticos vinieron abajo duros en el elogio de
color una mentira
marca un cargo en contra o acusar
toma jura, como en orden religioso
la preparación garantizará éxito!
amueblar con un prefacio o introducción
I deseo que la Navidad era encima
lloró con dolor cuándo el doctor insertó la aguja
determinan la secuenciadeácido amino de una proteína durante su síntesis por utilizar información en la matemática de
ruso si las hojas de tren puntualmente
I maravilla si esto era la cosa derecha para hacer
Podrían desarrollas las ideas en vuestra tesis
nombra vuestros cómplices!
de frases un pasaje musical
hablan una charla de
La boda Real estuvo televisada
formula en una moda particular o lengua
Él dibujó un elaborar plan de atacar
convierte la información a código
cada pasajero tiene que ser manifestado
croquis el esbozo del libro
digo dejado es olvidar este negocio entero
de China para parecer más agradable o apelando
canta con cerró labios
leDan mis consideraciones mejores
mueve el rey dos plazas hacia una torre y en el mismo movimiento la torre al pasado próximo cuadrado el rey
forma un equipo
personal militar de servicio militar o sacar de la lista activa de causa de
de lluvia: inmunidad de beca de procesamiento
protege excesivamente
de fortificación o el paseo atrás
puesta (una carta o pieza) a juego durante un juego, o ley estratégicamente como si en un juego de carta
come ligeramente, prueba los platos diferentes
de semana a la influencia de alcohol
ser satisfactorio para
proporcionan un festín o banquete para
tomar arriba como si con una esponja
toma drogas para mejorar uno es actuación atlética
Esta tierra llevará diez vacas al acre
eligió arriba del libro y empezado para leer
toman control de o adosar al
capa con una portada
lisa con una capa
portada de
unir por crear vínculos covalentes (de cadenas adyacentes de un polímero o proteína)
anclamos en Baltimore
El pez está estratificado en barriles
saca todo o la parte de una es ropa para asomar uno es ente
adosan con o como si con un alfiler
Puesta encima maquillaje!
Los EE.UU. despliega sus armas en el Oriente Medio
ente automovilístico arriba apoya
de capas entre dos superficies y aplicar el peso o la presión
para lavar o toallita húmeda con o como si con una Fregona
de reloj con cromo
envía por correo especial que pasa por los canales diplomáticos
de puerto despacio o fuertemente
El sorteo a través de ojos o agujeros
el sótano estuvo inundado después de la tormenta
I cocinero y mis lavados de marido arriba después de que cena
saca como si por la succión
accidente a con objeto de la bobina alrededor de
dejada alimenta en un campo o pasto o paseo
encierra con unas carreteras
hace un inaugural o vacío en
aplasta como si por calcar encima
une junto por calentar
crean de nuevo
producimos más los coches que nosotros pueden vender
Ellos ideó para asesinar su jefe
El árbol de manzana aguantó manzanas deliciosas este año
preparan una comida caliente
Mi marido y yo gustan bailar en en casa al baile
corrieron las cintas encima y encima otra vez
La banda tocó toda la noche juego
para fabricar secciones de (un edificio), especialmente en una fábrica, de modo que pueden ser fácilmente transportados a y rápidamente reunidos en un sitio de edificio de vampiresa
plan o crear según un modelo o patrón
forma de muñecas
afligir con aflicción o agitación mentales
I como mis sobrinos
perturbar la compostura de
tiene un deseo para algo o alguien quién no es presentar
pierde corazón
ser lleno de la esperanza
toma fuera el entusiasmo de
vuelan unos Niños
abandonar la presa pretendida, turno, y perseguir una presa inferior
Su corazón batía rápidamente
batió fuera de un ritmo
baraja la tierra
perder un paso y caída o casi cae
de caravana por transporte
de superficie arriba,
para venir para descansar, resuelve
mejor abajo cómodamente
reaparecer en el movimiento
Este coche puede lograr una velocidad de 140 millas por hora
de guerra, fuerza, o empujado fuera de un espacio pequeño
unen juntos a una masa o recoger o formar unas Multitudes
acompañar y proteger del daño físico
media uno es atrás por doblar adelante y dibujando los hombros adelante
de multitud un manera al pase
inclinó antes de la Reina
flujo fuera gradualmente
paso en el paseo
causar un animal de mover rápidamente
Los niños bailaron con la alegría
tiene una tolerancia para un veneno o patógeno o droga fuertes o afección medioambiental
siempre capaz a trote fuera algunos la excusa nueva
Mantener vuestros ojos pelaron para cualesquier policías
El corcho del bote de champán causa
hace un sonido resonante, gusta artillería
de cama en una corriente irregular con un ruido de borbotear
puede me doy lecciones?
da a varias personas
comprar, selecciona
uso de marca de o aceptar para algún propósito
echar o lanzado fuera
Obtiene con dificultad
de pintor para obra o asistencia
El dueño retuvo el depósito de seguridad
encuentras vuestros vasos?
la máquina dispensa las bebidas blandas
traer sobre la captura de una partícula elemental o ente celestial y causando introduce una órbita nueva
Este núcleo ha captado el lento-neutrones emotivos
da (como medicina)
retirar (dinero) y movimiento a una ubicación diferente, a menudo en secreto y con las intenciones deshonestas
de comidas qué está pensado para ser deficiente
di dos hijos a la guerra
establece comunicación con alguien
cesar o asociación de pausa con
traen sobre un efecto o cambiar
sistema del bloque entrena
da el derecho a
mantienen un récord encima o reloj atentamente
equipar para el servicio
priva de votar los derechos
mata sin sanción legal
El juez probó ambos padre e hijo en fuerza de
país nativa temporalmente
dieron la espalda centenares de seguidores
coacciona por violencia o con las amenazas
de límite de las restricciones a
desarrolla niveles sociales diferentes, clases, o Sociedad
tuvo éxito en persuadirnos todo
acaecida un adulto
El profesor disciplinado las pupilas bastante frecuentemente
ley en oposición a
de ideología estuvo infectada por el racismo
Quién está rigiendo el país ahora?
Este dinero es mis ingresos únicos
Las dos calles conectan para acaecer una carretera
ser necesariamente asociados con o resultado en o implicar
I lleva su imagen en el ojo de mi mente
llevo seguro de vida muchísima
aplaza hacer qué uno tendría que ser hacer
tuvimos que parar encima en Venezuela en nuestro vuelo atrás de Brasil
Los controles de letra con la firma en el control
Qué es esta evidencia nueva basó encima?
los padres ancianos a menudo dependen en sus niños de adulto
para asomar las diferencias cuándo comparadas
crecen demasiado grandes
Estos trajes automovilísticos mi propósito bien
está compensando para ser un padre malo
cuida de todo empresarial narrado a una casa
El toldo extiende varios pies sobre la acera
Ser alto
El auditorio no puede aguantar más de 500 personas
tiene algunos de las calidades o los atributos de algo
árbol era claramente definido por el ligero
lleva una expresión de una es actitud o personalidad
existe o ser situado dentro de
es un miembro, partidario, habitante, etc. (de un grupo, organización, o sitio)
no capaces de absorber o empapando arriba (líquidos)
no en uso activo
volcanes activos
adecuada o elegible para adopción
asomando inventiva y destreza
los efectos beneficiosos de un clima templado
que lucha para efectuar
que discrepan, especialmente con una mayoría
las comunicaciones aire-aire
más de adecuado
pidiendo el pasando de cobrar
un articular el orador
sin o privado del uso de habla o palabras
una franqueza de comprometer
una lista de aprobó candidatos
impropiamente adelante o la negrita
habiendo un pico fuerte
que ocupa la parte más baja de la gama socioeconómica media en una sociedad
causando dificultad en respirar especialmente a través de carencia de presencia y aire frescos de calentar
sin la iluminación
habiendo puntos brillantes breves o centellea del
nieve deslumbrante
discriminatorias en la base de sexo (normalmente dicho de la actitud de los hombres hacia mujeres)
un diario liberal
debajo la tierra
capaz de andar encima dos pies
estuvo convencido que sería a su ventaja para unir
de las personas
de brillante verdoso azul
de un rojo vívido a rojizo-color naranja
las pocas celdas grises
que tiene o exhibiendo muchos colores
una personalidad neutra que hizo ninguna impresión cualquier cosa
los ojos azules pálidos
minera es un trabajo sucio
cercano en cronometrar
llenada o abundando con las nubes
mantuvieron del conocimiento público por varios medio
esto la música nueva es ciertamente diferente pero no realmente me logusta
caracterizada por o dado a decir anécdotas
chocando colores
una dosis parcial
no comprensible
de sensación incorrecta o preocupación o inseguridad
indiferentes a su descargo
que forma un fin o terminación
traído a conclusión
emparejando punto de punto a favor
una cifra grande en el movimiento
un defecto oscuro
difíciles o imposibles de percibir o vislumbrar
que causa daño o plaga
continuando en tiempo o espacio sin interrupción
no atado por regla o ley o convención
que diverge de un punto común
habiendo ramas gruesas
una historia de convencer
rojo quieto dentro de
pasó una cantidad considerable de tiempo en el problema
habiendo un ente o un ente de una clase especificada
'corporativo' es un plazo arcaico
especialmente conformando a hecho o verdad
la versión correcta
especialmente siendo en o siguiendo las palabras exactas
que surge de error
los intestinos sueltos
una enfermedad en la fase crítica
causar miedo o ansia por daño sumo amenazante
una temperatura crítica de agua es 100 grados C--su punto de hervir en presión atmosférica estándar
un asunto crucial para las mujeres
separado a partes o puestos abiertos o penetrados con un borde agudo o equipar
no equipado o proporcionado
en casa-coció pasteles y pasteles
que describe un círculo
oficinas diurnas y nocturnas
un zambullimiento profundo
que carecen de profundidad física
capaces de ser derivó
tuvo una ventaja decisiva en las urnas
un sabor delicado
el ala delicada de una mariposa
sustancialmente hecho o construido
representación popular de ser de
polvo de madera es un signo seguro de las termitas
capaz de proporcionar para vuestras necesidades propias sin ayuda de otros
que tiene o marcado por una tendencia fuerte especialmente un polémico uno
más deseable que otro
un punto indeterminado de ley
desarrollados según un plan ordenado
mucho discutido
utilizado del aspecto o el comportamiento de una persona
habiendo todo vínculos de valencia disponible llenaron
la destrucción mayorista
pretendieron ser echadas fuera después de que uso
criados sumisos
dado a o marcado por el consumo de alcohol
una discusión animada
un misil de proyectil
hebreo Nuevo inglés es hebreo israelí
las religiones Orientales
medidas drásticas rigurosas
habiendo viscosos así como haciendas elásticas
obrado arriba emocionalmente por la rabia o la emoción
que da valor o confianza o la esperanza
de vigor giró el playboy mimado a un conduciendo joven ejecutivo
un software de
el marco era fuera de cierto
(de piel) teniendo una superficie áspera como el resultado de ser tratado con un rodillo estampado
capaces de ser convertidos a dinero listo o el equivalente
nervios firmes
habiendo ningún intelectuales o emoción emocional o espiritual
cogió conducir con una licencia expirada
es paradójico que estando es más fatigoso que andando
(de instrumentos en la familia de violín) para ser tocado con el lazo
una escena exterior
habiendo ojos de besugo
empleados fieles
vino adelante una vista pintoresca y temerosa
en un paso perezoso
el cosechando era completar
utilizó arriba
país extranjeras en el extranjero
marcada por pompa o ceremonia o formalidad
cuándo intentando impresionar alguien habló en una moda literaria afectada
un anfitrión amistoso y anfitriona
cerrada en por hielo
afectando o implicado en estructura o construcción
una linterna de funcionamiento
no proporcionado con alimenta
de chico en forma mala
una zancadalarga, lisa
una ladera gradual
un vestido de algodón cepillado
no causando o capaz de causar daño
cirugía terapéutica
todavía tengo uno pata buena
una persona entera otra vez
capaz de ser absorbido e incorporado a tejidos de ente
un arreglo de muelle surtido florece
habiendo un más alto que techo normal
abajo en tono o frecuencia
un oboe de
que tiene o denotando una gama vocal o instrumental baja
utilizado de los edificios de muchas historias equiparon con avenidas
utilizado de edificios de uno o sólo unas cuantas historias y normalmente ningún ascensor
que ofrece poco o ninguna esperanza
normalmente utilizado de comidas
una manera impersonal fría
(de personas o sus acciones) capaces o colocados para causar dolor o padeciendo
con un ingenio escocés torcido
segundo por orden de importancia
las puertas principales eran de vaso sólido
limitaron a empresas insignificantes
una obra de arte magnífica
una cara de popa
utilizó especialmente del comportamiento
que narra a sociedades en qué capitales necesitados para industrializar es en el suministro corto
densamente poblada
restringió a blancos sólo
muy triste
propiamente mereció
plenamente entendidos o cogió
entendido en una manera segura
un campo estupendo de hierba
muy imponiendo o impresionante
un aumento masivo en óleo tasa
formalmente aprobado e invertido con la potestad legal
habiendo una nariz estrecha larga
como cantidades
grabado en uno cronometra para la transmisión más tarde
que llevan un guante protector
que duran a través de un año
las horas fugitivas
muy abajo en volumen
(a menudo derogatorio) abiertamente expresando amor y afecto (especialmente a través de contacto físico)
tontamente cariñoso de o sumiso a vuestra mujer
la aguja de unos puntos de compás magnéticos al polo del norte magnético
las carreteras importantes
carreteras posteriores menores
no marcado con una marca
capaces de ser profundidades
capaz de ser fundido y fusionó
modera en tipo o grado o efecto o fuerza
ansia intensa
de metal es un elemento de metaloide
allende una norma en vistas o acciones
era todavía alguna distancia fuera
no se preocuparon el menos mordió
una muerte antinatural
financia esenciales a la conclusión del proyecto
una cara buena
un shock malo
el efecto de dignificar de su presencia
ninguna explicación para el observó fenómenos
fuera-la calle que aparca
un amigo nuevo
no habiendo las ventajas entre las líneas
no oportunamente cronometró
que espera precios para caer
fuerte y áspero
que carece de organización o estructura definitivas
de forma con cubrió las caras
privó de las hojas
obrado con la lentitud dolorosa
no habiendo el óleo frotado a la superficie
comida aceptable
observaciones presentes
excelente y delicioso en todos los respetos
roto inglés
los padres indulgentes arriesgan estropear sus niños
disuadiendo de acción
que sirve para advertir
incapaces de ser popa
un interior duro
el edificio...Frenéticamente barroco
era un puesto-arriba trabajo
promesas simplistas
muy complacido
una actitud positiva
hechos adecuados y disponibles para cena de
expansión rápida incidental a un cambio rápido
industrias insignificantes
no previendo correctamente
en perspectiva
en el proceso de ser probados o prueba
libres de impureza o mácula morales
no mezclado con elementos ajenos
corrompido por contacto o asociación
un ganador claro
de o narrando a o basó encima 20
no asomando juicio bueno
(de un líquido) trató por habiendo el aire pasado o borboteado a través de él para la depuración
temerariamente-doblado en ganador
un sistema de carretera engranado
de o narrando a moda (especialmente en el uso de lengua)
acentuando un normalmente débil bate
no rítmico
teniendo ningún dinero
característica de vida de país
música sagrada y profana
un delincuente desesperado
citó varias razones para su comportamiento
que tiene o asomando conocimiento profundo
no establecido o confirmó
con vuestra identidad encubrió
dispuesto de privar tú
la prensa amarilla
su vida siguió un curso vagabundo
viajando especialmente a pie
un tobillobiengirado
concreto a formar antes de ser transportado al sitio de instalación
(utilizados de órdenes religiosos seguros) descalzos o llevando sándalos únicos
amable o denotando una cantidad numérica pero no ordenar
un millón millones en los Estados Unidos
el número ordinal de treinta y dos en contar orden
el solo uno de su amable
un ejemplo singular
habiendo un incluso textura
la superficie vidriosa del lago
podrían ser sólo en una sala llenada
admitiendo de ninguna solución o explicación
utilizado con cualquier masa o sustantivos de cuenta para indicar el número entero o cantidad de o cada uno de una clase
todos los hombres son mortales
cobraron naturalmente o artificialmente con dióxido de carbono
no conformando al uso de lengua de un grupo de prestigio dentro de un comunitario
que tiene o pareciéndose a un gancho (especialmente en la capacidad de coger y control)
que aguantan un estrés o acento
armas poderosas
un duros dejados a la barbilla
las partes vulnerables del ente
un ajedrecista malo
modera a inferior en calidad
ahora mi amigo jurado y entonces enemigo de mina
no domesticado
en o de un estado de tensión física o nerviosa
profundas inferiores
extremadamente bien o delgados, como en una línea espectral partida a dos o más componentes
no bien vestido
medias-seguir vehículos blindados
un financieramente luchando el teatro
que viene abajo libremente bajo la influencia de gravedad
un trabajo útil
una herramienta multiuso
propenso a o capaz de cambiar
habiendo una variedad de los colores
que tiene o empleando las longitudes de onda más cortas que ligeros pero más largos que radiografías
una vista panorámica
reducida en medida como por exprimir junto
un participante dispuesto
habiendo las alas pequeñas
infinitamente sensato
absurdos o tontos porque esperanzas
muy tonto
no cubierto con bosque
no el mercenario
un traje gastado
(de rocas especialmente) gastados lisos por la acción de abrevar
sin flor o florecer y no produciendo semillas
sinergia falta
la religión babilónica
de o narrando a o perteneciendo al ente
respondiendo a u operando en una banda ancha de frecuencias
de o narrando al cerebro y los vasos sanguíneos que lo suministra
conflictos civiles
obra clerical
que narra a o afectando el colon y el recto
ocurriendo o existiendo en dos formas diferentes
un actor de Hollywood
música impresionista
que narra a o derivado de uno es madre
antes del tiempo de Sócrates
de o infectado por rabia
la Sociedad Real
que se parecen a o característica de un sépalo
implicando más de uno nota
de o narrando a o creado por legislación
de o narrando a o utilizando aire (o un gas similar)
las reglas sintácticas de una lengua
de o narrando a un doctor o doctorado
de o narrando a la estructura del ente
de o narrando a o conectado con espiritualismo
de o narrando a o budismo de apoyo
que apoyan los Estados Unidos y sus pólizas
de o narrando a u ocurriendo en la noche
que narra a totemismo
de o narrando a o caracterizando el unitarismo
de o narrando a Escandinavia o sus pueblos o culturas
de o narrando al ente o carne
de o narrando a la gestación
de o perteneciente a o marcado por la mutación genética
de o narrado a o dirigido hacia mediación
de o narrando al miocardio
de o narrando a Demóstenes o su oratoria
de o narrando a etnografía
de o narrando a o propio de un procónsul
de o pertenecientes a una recesión
una sociedad feudal o ritualista
de o narrando a Samoa o sus personas o lengua o cultura
de o narrando a o característica de Gales o sus personas o su lengua
era a medias escondido por los arbustos
('lleno' en este sentido está utilizado como combinar forma)
declinó incluso para considerar la idea
no sé qué pasado a él; en todo caso, está ido
sentido un poco mejor
era por lejano el estudiante más listo
un hombre joven seguro para coger adelante
indica continuidad o persistencia o concentración
el trabajo es (justo) aproximadamente hecho
deprisa o rápidamente (a menudo utilizado como combinar forma)
fuera del viento
comparativos de pequeños
la casa estuvo completada antes de tiempo
la culebra movió gradualmente hacia su víctima
en nombrar sólo
por o con respetar a la sociedad
mediante los símbolos
simbólicamente expresados
en la hemorragia
por un coro
en una manera feudal
le buscó en vano
confió fuertemente encima otros' dato
discutió convincentemente
con ansia
sin imaginación
con determinación
es una mujer rica en su derecho propio más que por herencia
Había hecho algún dinero en el lado
esto es exactamente lo que el compositor había puesto abajo encima papel
en manera desacostumbrada
en alguna distancia
en lengua normal
en el mismo sitio (utilizado cuándo citando una remisión)
las sutilezas de esta ocasión claramente británica
no siente primero-valorar hoy
en una manera imposible de curar
con indiferencia
en un entusiastas y discriminando manera
se quedó más larga
sin ropa
extendiendo durante una nación entera
el niño nació prematuramente
de psicología que les cogió en sus trabajos duros tampoco psicológicamente o físicamente
a un nivel muy alto
en una manera subrepticia
con precedente
alto arriba en o a las águilas
en una manera inminente
choque en la puerta
hacia el fin posterior del ente
adopta sus obras importantes sobre periodo a escaso de tiempo?
apuntan para mover
El bueno noticioso le despejará
arreglan los bolsos en la mesa
La actuación probablemente puede asombrar Demandar
intentan para mover
de mugre y manta de mugre los Coches
Sam no puede perseguir después Demandar
quieren limitar los prisioneros
Estos coches no manivela arriba
Las capas no arrugaron
El luchador dirigió derrotar su adversario
El malo noticioso le afligirá
le confían para escribir la letra
La actuación probablemente puede huir Demandar
Sam y Demandar exportar la película
El galope de caballos a través del campo
John crecerá Sam
saludaba todo el día mucho tiempo
aguantan de un tiempo largo
Sam y Demandar himno
ponen los bolsos en la mesa
La marcha de caballos a través del campo
quieren masacre los prisioneros
nombran su vicepresidente
le obligan para escribir la letra
Quieren bolígrafo arriba de los prisioneros
Escayolan avisos en las puertas
le pulsan para escribir la letra
Enciende brillo en el horizonte
pasan dinero en su nieto
quieren acuchillar los prisioneros
La actuación probablemente puede estimular Demandar
Sam y Demandar cinta la película
Estos coches no taxi
Estos coches no cederán
